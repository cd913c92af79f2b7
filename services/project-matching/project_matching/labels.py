"""The labels of project-matching's own enums (`yizhou.labels`; `GET /api/v1/labels`): registered at
import, by `app.py`. The Chinese is in the platform's catalog (`shared/yizhou/locale`); projects' states
and steps, resources and funds are the shared ones of the event contracts."""

from __future__ import annotations

from project_matching.guarantee.domain.venues import BookingState
from project_matching.settings import Settings
from yizhou.labels import register_labels

register_labels(Settings.service_name, {
    "booking_state": BookingState,
})

"""Partner-facing topics: projections of internal events that carry only what partner agencies
may see (area codes, categories, states, times, counts), guarded against personal data.

A projection runs inside the unit of work that records the internal event, so the partner event is
in the same outbox transaction: it is published exactly when the internal one is. Before a partner
event is written, its payload is checked against the personal-data denylist (field names and value
patterns such as phone and ID numbers); a violation is refused and reported (log + metric
`partner_events_refused_total`), never sent. The internal change still commits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from prometheus_client import Counter
from pydantic import ValidationError

from yizhou.events import EventData
from yizhou.personal_data import find_personal_data

log = logging.getLogger(__name__)

PARTNER_TOPIC_PREFIX = "yizhou.partner."
PARTNER_REFUSED = Counter("partner_events_refused_total", "Partner events refused by the personal-data guard",
                          ["event_type"])

Projection = Callable[[str, dict[str, Any]], "PartnerEvent | None"]
_PROJECTIONS: dict[str, list[Projection]] = defaultdict(list)
_PARTNER_EVENTS: list[type[PartnerEvent]] = []


class PartnerEvent(EventData):
    """Base of every partner-facing event type; its topic is `yizhou.partner.<aggregate>.v<N>`."""

    examples: ClassVar[list[dict[str, Any]]] = []

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "topic" in cls.__dict__:
            if not cls.topic.startswith(PARTNER_TOPIC_PREFIX):
                raise TypeError(f"{cls.__name__}: partner topics start with {PARTNER_TOPIC_PREFIX}")
            _PARTNER_EVENTS.append(cls)


class PartnerDataLeak(ValueError):
    pass


def projection(*internal_types: str) -> Callable[[Projection], Projection]:
    """Registers a function (internal event type, internal data) -> partner event or None."""

    def register(fn: Projection) -> Projection:
        for event_type in internal_types:
            _PROJECTIONS[event_type].append(fn)
        return fn

    return register


def partner_events() -> list[type[PartnerEvent]]:
    _load_views()
    return list(_PARTNER_EVENTS)


def partner_topics() -> list[str]:
    return sorted({e.topic for e in partner_events()})


def guard(event: EventData) -> None:
    leaks = find_personal_data(event.model_dump(mode="json"))
    if leaks:
        raise PartnerDataLeak("; ".join(leaks))


def partner_views(event_type: str, data: dict[str, Any]) -> list[PartnerEvent]:
    """The partner events an internal event projects to, each checked by the guard."""
    _load_views()
    views = []
    for project in _PROJECTIONS.get(event_type, ()):
        try:
            view = project(event_type, data)
            if view is None:
                continue
            guard(view)
            views.append(view)
        except (PartnerDataLeak, ValidationError, KeyError) as exc:
            PARTNER_REFUSED.labels(event_type).inc()
            # Field paths and reasons only: the refused values themselves stay out of the logs.
            reason = str(exc) if isinstance(exc, PartnerDataLeak) else f"{type(exc).__name__}"
            log.error("partner projection of %s refused: %s", event_type, reason)
    return views


def _load_views() -> None:
    import yizhou.partner_views  # noqa: F401  (registers the platform's projections)

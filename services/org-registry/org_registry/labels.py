"""The labels of org-registry's own enums (`yizhou.labels`; `GET /api/v1/labels`): registered at import,
by `app.py`. The Chinese is in the platform's catalog (`shared/yizhou/locale`); the setup modes' is the
one `SETUP_MODES` gives (tests/unit/test_labels.py keeps the two equal)."""

from __future__ import annotations

from org_registry.domain.coordination import BodyKind, LineOfWork, Seat, Sector
from org_registry.domain.hub import PartnerKind
from org_registry.domain.organization import SETUP_MODES, ModeGroup
from org_registry.domain.pairing import Hardship, PairingKind, Rating
from org_registry.domain.sheet_rows import SheetKind
from org_registry.settings import Settings
from yizhou.labels import english_labels, register_labels

register_labels(Settings.service_name, {
    # Setup modes belong to the organizations org-registry keeps: it answers their labels.
    "setup_mode": {mode.value: info.english for mode, info in SETUP_MODES.items()},
    "setup_mode_group": english_labels(ModeGroup, {"two_new": "Two new organizations",
                                                   "unit": "Organizations of units",
                                                   "leading": "Leading organizations"}),
    "coordination_body_kind": BodyKind,
    "sector": Sector,
    "committee_seat": english_labels(Seat, {"member": "Part-time member", "deputy_secretary": "Part-time deputy secretary"}),
    "line_of_work": english_labels(LineOfWork, {"residential": "Residential areas", "two_new": "Two new organizations",
                                                "units": "Units in the area"}),
    "hub_partner_kind": PartnerKind,
    "sheet_kind": SheetKind,
    "pairing_kind": english_labels(PairingKind, {"organizations": "Organization with organization",
                                                 "household": "Branch with household"}),
    "hardship": english_labels(Hardship, {"low_income": "Low income", "elderly_alone": "Elderly living alone"}),
    "pairing_rating": Rating,
})

"""Labels and messages in the reader's language: zh-CN (the district's default) and en.

Every enum value a client shows (a demand's state, a channel, a role, a category ...) has a label, and
every problem answer a title (docs/api.md "Languages"). The English text is the message id; the Chinese
lives in the gettext catalog `locale/zh_CN/LC_MESSAGES/yizhou.po`, kept with Babel (`make messages`),
never in dictionaries in code. Labels carry their enum's name as the message context (msgctxt): one
English word may need two Chinese ones ("Closed" of a demand, of a meeting).

The catalog is read with Babel when this module is imported, so there is no compiled `.mo` to keep in
step with the `.po`, and a broken catalog stops a service from starting rather than a request.

The shared enums (those of `yizhou.contracts`, roles, the axis) are registered here; each service
registers its own in `<package>/labels.py`, imported by its `app.py`. `GET /api/v1/labels` answers the
shared ones and the service's own.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from yizhou.auth import Role
from yizhou.axis_events import AreaKind, Level
from yizhou.contracts import demands, evaluations, guarantee, hubs, organizations, projects, registrations, resources, units
from yizhou.contracts.categories import SERVICE_CATEGORIES
from yizhou.errors import CATALOGUE
from yizhou.language_settings import DEFAULT_LANGUAGE, SOURCE_LANGUAGE, spoken_language

if TYPE_CHECKING:
    from yizhou.settings import ServiceSettings

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "yizhou"
CATALOG_LOCALES = {"zh-CN": "zh_CN"}   # tag -> the catalog's directory under locale/
SHARED = "shared"   # the owner of the enums every service answers

# One register per platform: owner (a service's name, or SHARED) -> enum name -> value -> English label.
_OWNED: dict[str, dict[str, dict[str, str]]] = {}
# Fixed texts besides labels and catalogue titles (the fixed `detail`s of problem answers).
_MESSAGES: dict[str, None] = {}
# What answers without a request (a refusal of a middleware) speak: the district's language, once known.
_process_language = [DEFAULT_LANGUAGE]


def _read_catalog(language: str) -> dict[tuple[str | None, str], str]:
    path = LOCALE_DIR / CATALOG_LOCALES[language] / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    # A fuzzy entry (pybabel's guess after an English change) is not a translation until someone checks it.
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


_TRANSLATIONS = {language: _read_catalog(language) for language in CATALOG_LOCALES}


def translate(message: str, language: str, context: str | None = None) -> str:
    """`message` (English) in `language`; itself where the catalog has no translation (a dynamic text)."""
    if language == SOURCE_LANGUAGE:
        return message
    return _TRANSLATIONS.get(language, {}).get((context, message), message)


@lru_cache(maxsize=512)
def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in for an `Accept-Language` header (RFC 9110 12.5.4), by Babel's negotiation
    over the preferred languages in the order of their q-values; `default` when none is spoken here."""
    preferred: list[tuple[float, str]] = []
    for item in (accept_language or "").split(",")[:32]:   # a few are real; a long list is no client's
        tag, _, params = item.strip().partition(";")
        tag, weight = tag.strip(), 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0   # unreadable: as if not sent (a header never makes an answer fail)
        if tag and tag != "*" and weight > 0:
            preferred.append((weight, tag))
    ordered = [tag for _, tag in sorted(preferred, key=lambda p: -p[0])]   # stable: equal q keep the client's order
    return spoken_language(ordered) or default


def request_language(request: Request | None) -> str:
    """The language of the answer to `request`: its `Accept-Language`, else the district's."""
    if request is None:
        return _process_language[0]
    settings = getattr(request.app.state, "settings", None)
    default = getattr(settings, "district_language", None) or _process_language[0]
    return negotiate(request.headers.get("accept-language"), default)


def english_labels(source: Any, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """value -> English label of a StrEnum, a `Literal[...]` or a mapping (value -> English): the value
    in words ("in_progress" -> "In progress") unless `overrides` or the mapping says better."""
    if isinstance(source, Mapping):
        labels = dict(source)
    else:
        values = [m.value for m in source] if isinstance(source, type) and issubclass(source, enum.Enum) \
            else list(typing.get_args(source))
        if not values:
            raise TypeError(f"{source!r} is neither a StrEnum, a Literal nor a mapping")
        labels = {v: v.replace("_", " ").capitalize() for v in values}
    return {**labels, **(overrides or {})}


def register_labels(owner: str, enums: Mapping[str, Any]) -> None:
    """An owner's enums (name -> StrEnum, Literal or value -> English mapping), once, at import. Names are
    unique across the platform, so `labels_for(name, ...)` needs no owner."""
    for name, source in enums.items():
        labels = english_labels(source)
        for other, known in _OWNED.items():
            if name in known and (other != owner or known[name] != labels):
                raise ValueError(f"labels of '{name}' already registered by {other}")
        _OWNED.setdefault(owner, {})[name] = labels


def register_messages(*english: str) -> None:
    """Fixed texts to translate besides labels and catalogue titles (e.g. a problem's fixed `detail`)."""
    _MESSAGES.update(dict.fromkeys(english))


def labels_for(enum_name: str, language: str) -> dict[str, str]:
    """value -> label of one registered enum in `language` (KeyError for an unknown enum)."""
    for known in _OWNED.values():
        if enum_name in known:
            return {value: translate(english, language, enum_name) for value, english in known[enum_name].items()}
    raise KeyError(enum_name)


def registered_enums(owner: str | None = None) -> dict[str, dict[str, str]]:
    """enum name -> value -> English label: the shared enums and `owner`'s, or every owner's (None)."""
    owners = _OWNED if owner is None else {o: _OWNED.get(o, {}) for o in (SHARED, owner)}
    return {name: labels for known in owners.values() for name, labels in known.items()}


def labels_of(owner: str, language: str) -> dict[str, dict[str, str]]:
    return {name: labels_for(name, language) for name in sorted(registered_enums(owner))}


def message_template() -> Catalog:
    """Every message the platform translates (labels with their enum as context, catalogue titles, fixed
    texts): what `make messages` writes as the template that `pybabel update` merges into the catalogs."""
    catalog = Catalog(domain=DOMAIN, project="yizhou", version="0.1.0", fuzzy=False)
    for name, labels in sorted(registered_enums().items()):
        for english in dict.fromkeys(labels.values()):
            catalog.add(english, context=name)
    for english in dict.fromkeys([title for _, title in CATALOGUE.values()] + list(_MESSAGES)):
        catalog.add(english)
    return catalog


def write_template(path: str | Path) -> None:
    with Path(path).open("wb") as f:
        write_po(f, message_template(), width=0, omit_header=False, sort_output=True)


def labels_router(settings: ServiceSettings) -> APIRouter:
    """`GET /api/v1/labels` of the service `settings` names. Also makes the district's language the one
    of answers without a request (a middleware's refusal)."""
    _process_language[0] = settings.district_language
    router = APIRouter(tags=["labels"])

    @router.get("/api/v1/labels", summary="The label of every enum value, in the language of Accept-Language",
                response_model=dict[str, dict[str, str]],
                description="enum name -> value -> label (`zh-CN` unless `Accept-Language` prefers `en`; "
                            "`DISTRICT_LANGUAGE` sets the default). No token needed: labels reveal no data.")
    async def list_labels(request: Request) -> JSONResponse:
        language = request_language(request)
        return JSONResponse(labels_of(settings.service_name, language),
                            headers={"Content-Language": language, "Vary": "Accept-Language"})

    return router


register_labels(SHARED, {
    "category": SERVICE_CATEGORIES,
    "role": Role,
    "area_level": Level,
    "area_kind": AreaKind,
    "demand_state": demands.DemandState,
    "channel": demands.DemandSubmitted.model_fields["channel"].annotation,
    "urgency": demands.DemandSubmitted.model_fields["urgency"].annotation,
    "priority_household": english_labels(demands.PriorityHousehold, {"elderly_alone": "Elderly living alone",
                                                                     "low_income": "Low income"}),
    "feedback": demands.FeedbackValue,
    "organization_kind": organizations.OrganizationKind,
    "unit_kind": english_labels(units.UnitKind, {"state_owned_enterprise": "State-owned enterprise",
                                                 "non_public_enterprise": "Non-public enterprise"}),
    "size_class": units.SizeClass,
    "hub_kind": english_labels(hubs.HubKind, {"womens_federation": "Women's federation"}),
    "joint_action_kind": hubs.JointActionKind,
    "resource_kind": resources.ResourceKind,
    "provider_kind": resources.ProviderKind,
    "commitment_kind": registrations.CommitmentKind,
    "rating": evaluations.Rating,
    "fund_source": guarantee.FundSource,
    "spending_purpose": guarantee.SpendingPurpose,
    "venue_kind": english_labels(guarantee.VenueKind, {"party_mass_service_centre": "Party-mass service centre"}),
    "booker_kind": guarantee.BookerKind,
    "subject_kind": guarantee.SubjectKind,
    "project_step": projects.Step,
    "project_state": projects.ProjectState,
    "funding_source": projects.FundingSource,
})

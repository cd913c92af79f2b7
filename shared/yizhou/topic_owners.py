"""Who publishes each topic: the one CloudEvents `source` its consumers accept.

Every topic has one owner, the service whose outbox relay publishes it; its events carry that
service's source, `/yizhou/<service>` (the relay writes the outbox row's source into `ce_source`).
A partner topic (`yizhou.partner.*`) is written by the same relay, in the same transaction as the
internal event it projects, so it has the owner of that internal event.

The consumer runner (`yizhou.consumer`) dead-letters an event whose source is not its topic's owner
and never applies it: a record written to a topic by anyone else (a forged `area.created`, another
service's principal, a misrouted producer) changes no read model. Broker ACLs, one principal per
service with write access to its own topics only, are the first line; this is the second, and the one
that holds on the embedded broker, which has no ACLs. A source header can be forged too: the
handlers still check what they are told against what they know (e.g. `yizhou.axis_copy`).

The table is the one place ownership is written down. A topic missing from it cannot be subscribed
to without naming its sources (`Subscription(..., sources=...)`), so a new topic fails at start, not
open. `tests/security/test_forged_events.py` holds it against what each service declares it publishes.
"""

from __future__ import annotations

from yizhou.axis_events import AREAS_TOPIC
from yizhou.contracts.demands import DEMANDS_TOPIC
from yizhou.contracts.evaluations import EVALUATIONS_TOPIC
from yizhou.contracts.guarantee import ASSESSMENTS_TOPIC, FUNDS_TOPIC, VENUES_TOPIC
from yizhou.contracts.hubs import HUBS_TOPIC
from yizhou.contracts.matches import MATCHES_TOPIC
from yizhou.contracts.meetings import MEETINGS_TOPIC
from yizhou.contracts.members import MEMBERS_TOPIC
from yizhou.contracts.organizations import ORGANIZATIONS_TOPIC
from yizhou.contracts.projects import PROJECTS_TOPIC
from yizhou.contracts.registrations import REGISTRATIONS_TOPIC
from yizhou.contracts.resources import RESOURCES_TOPIC
from yizhou.contracts.tokens import TOKENS_TOPIC
from yizhou.contracts.units import UNITS_TOPIC
from yizhou.events import topic_name
from yizhou.partner_views import (
    PartnerAreaChanged,
    PartnerDemandChanged,
    PartnerEvaluationPublished,
    PartnerProjectChanged,
    PartnerRegistrationChanged,
)


def service_source(service: str) -> str:
    """The CloudEvents source of a service's events, e.g. `/yizhou/org-registry`."""
    return f"/yizhou/{service}"


ORG_REGISTRY = service_source("org-registry")
DEMAND_INTAKE = service_source("demand-intake")
PROJECT_MATCHING = service_source("project-matching")
DUAL_REGISTRATION = service_source("dual-registration")

TOPIC_OWNERS: dict[str, str] = {
    # org-registry: the axis, the registry, token revocations
    AREAS_TOPIC: ORG_REGISTRY,
    UNITS_TOPIC: ORG_REGISTRY,
    ORGANIZATIONS_TOPIC: ORG_REGISTRY,
    MEMBERS_TOPIC: ORG_REGISTRY,
    HUBS_TOPIC: ORG_REGISTRY,
    TOKENS_TOPIC: ORG_REGISTRY,
    topic_name("instructors"): ORG_REGISTRY,  # its own facts: the models live in the service
    topic_name("pairings"): ORG_REGISTRY,
    # demand-intake
    DEMANDS_TOPIC: DEMAND_INTAKE,
    MEETINGS_TOPIC: DEMAND_INTAKE,
    # project-matching: the service network and the guarantee network
    RESOURCES_TOPIC: PROJECT_MATCHING,
    PROJECTS_TOPIC: PROJECT_MATCHING,
    MATCHES_TOPIC: PROJECT_MATCHING,
    FUNDS_TOPIC: PROJECT_MATCHING,
    VENUES_TOPIC: PROJECT_MATCHING,
    ASSESSMENTS_TOPIC: PROJECT_MATCHING,
    # dual-registration (claims and services: its own facts, their models live in the service)
    REGISTRATIONS_TOPIC: DUAL_REGISTRATION,
    EVALUATIONS_TOPIC: DUAL_REGISTRATION,
    topic_name("claims"): DUAL_REGISTRATION,
    topic_name("services"): DUAL_REGISTRATION,
    topic_name("pledges"): DUAL_REGISTRATION,
    # partner topics: the owner of the internal events each projects
    PartnerAreaChanged.topic: ORG_REGISTRY,
    PartnerDemandChanged.topic: DEMAND_INTAKE,
    PartnerProjectChanged.topic: PROJECT_MATCHING,
    PartnerEvaluationPublished.topic: DUAL_REGISTRATION,
    PartnerRegistrationChanged.topic: DUAL_REGISTRATION,
}


class UnownedTopic(ValueError):
    """A subscription to a topic with no owner in `TOPIC_OWNERS` and no sources of its own."""


def owner_of(topic: str) -> str | None:
    return TOPIC_OWNERS.get(topic)


def expected_sources(topic: str) -> frozenset[str]:
    """The sources a consumer of `topic` accepts: its owner's."""
    owner = TOPIC_OWNERS.get(topic)
    if owner is None:
        raise UnownedTopic(f"{topic} has no owner in yizhou.topic_owners.TOPIC_OWNERS: add it there, or name the "
                           f"sources a subscription to it accepts (Subscription(..., sources=...))")
    return frozenset({owner})

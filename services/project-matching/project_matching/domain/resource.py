"""Resources: what units, members, social organizations and the service alliance offer.

A resource serves the categories it names, up to `capacity` needs per matching period, inside its
own area's subtree (`serves_path`), during its availability windows. Money is not matched to
single needs: it funds projects, so it has an amount and no capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from project_matching.domain.errors import ResourceRuleViolation
from project_matching.domain.geo import to_plane
from project_matching.domain.matching import Offer, Window
from yizhou.categories_zh import categories_for_skills_zh
from yizhou.contracts.categories import SERVICE_CATEGORIES

KINDS = ("venue", "skill", "volunteer_hours", "money", "service", "post")
PROVIDER_KINDS = ("unit", "member", "social_organization", "service_alliance", "community")
# Hours of a member's or unit's time one need takes, to turn declared hours into places per period.
HOURS_PER_NEED = 2

# Members declare skills in their own words; these keywords map the common ones to categories.
SKILL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "nursing": ("elderly_care", "health", "disability_support"), "medical": ("health",), "doctor": ("health",),
    "cooking": ("meal_assistance",), "legal": ("legal_aid", "neighbour_disputes"), "lawyer": ("legal_aid",),
    "mediation": ("neighbour_disputes",), "counselling": ("psychological_support",),
    "psychology": ("psychological_support",), "tutoring": ("children_youth", "community_education"),
    "teaching": ("community_education", "children_youth"), "plumbing": ("housing_repair", "utilities"),
    "electrician": ("utilities", "housing_repair"), "repair": ("housing_repair",), "it": ("community_education",),
    "computer": ("community_education",), "sports": ("culture_sports",), "music": ("culture_sports",),
    "dance": ("culture_sports",), "gardening": ("public_space",), "cleaning": ("sanitation",),
    "driving": ("convenience_services", "elderly_care"), "security": ("public_safety",),
    "job": ("employment",), "hr": ("employment",), "accounting": ("social_organization_development",),
    "translation": ("migrant_services",), "social work": ("family_services", "mutual_aid"),
}


def categories_for_skills(skills: list[str]) -> list[str]:
    found: dict[str, None] = {}
    for skill in skills:
        text = skill.lower()
        for keyword, categories in SKILL_CATEGORIES.items():
            if keyword == text or keyword in text.split() or (len(keyword) > 3 and keyword in text):
                found.update(dict.fromkeys(categories))
    # Skills written in Chinese (法律咨询, 护理, 电工), as members in the district write them.
    found.update(dict.fromkeys(categories_for_skills_zh(skills)))
    return list(found)


def check_resource(*, kind: str, categories: list[str], capacity: int, amount_fen: int | None,
                   windows: list[Window]) -> None:
    unknown = [c for c in categories if c not in SERVICE_CATEGORIES]
    if unknown:
        raise ResourceRuleViolation(f"Unknown service categories: {', '.join(unknown)}.")
    if kind == "money":
        if not amount_fen or amount_fen <= 0:
            raise ResourceRuleViolation("A money resource needs a positive amount.")
        if capacity:
            raise ResourceRuleViolation("Money funds projects; its capacity is 0.")
    elif capacity < 1:
        raise ResourceRuleViolation(f"A {kind} resource needs a capacity of at least 1.")
    for w in windows:
        if w.ends_at <= w.starts_at:
            raise ResourceRuleViolation("Each availability window must end after it starts.")


@dataclass(frozen=True)
class Resource:
    id: str
    kind: str
    title: str
    provider_kind: str
    provider_id: str | None
    area_code: str
    area_path: str
    serves_path: str
    categories: tuple[str, ...]
    skills: tuple[str, ...]
    capacity: int
    amount_fen: int | None
    latitude: float | None
    longitude: float | None
    windows: tuple[Window, ...]
    state: str
    origin: str
    created_at: datetime
    updated_at: datetime

    @property
    def matchable(self) -> bool:
        return self.state == "active" and self.kind != "money" and self.capacity > 0

    def offer(self, point: tuple[float, float], room: int, period: Window | None = None) -> Offer:
        """The engine's view: `point` is (lat, lon), `room` the places left in the period."""
        x, y = to_plane(*point)
        windows = self.windows
        if period is not None and windows:
            windows = tuple(w for w in windows if w.overlaps(period))
            if not windows:
                # An empty tuple would read as "any time": a resource with windows, none of them in the
                # period, has no place in it.
                room = 0
        return Offer(id=self.id, categories=frozenset(self.categories), x_m=x, y_m=y, capacity=room,
                     serves_path=self.serves_path, skills=frozenset(self.skills), windows=windows)

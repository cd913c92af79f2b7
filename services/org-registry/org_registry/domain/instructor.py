"""Party-building instructors (党建工作指导员, seed 000: "选派党建工作指导员1557名，联系…6598个"): cadres sent to
units that have no party organization of their own. An instructor guides units in the area they are
appointed to and logs visits; a guided unit counts towards work coverage (工作覆盖: reached by an
organization or an instructor) beside organizational coverage. Three full members among a unit's staff
may form a branch, so a guided unit with three is a prospective branch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from org_registry.domain.errors import InstructorEnded, RegistryRuleViolation, UnitAlreadyCovered

MEMBERS_FOR_A_BRANCH = 3  # the Party Constitution: three full members may set up a branch
MAX_VISIT_SUMMARY = 2000


@dataclass(frozen=True)
class Instructor:
    id: str
    name: str
    phone: str | None
    home_unit_id: str | None
    area_code: str
    appointed_on: date
    ended_on: date | None = None

    @property
    def ended(self) -> bool:
        return self.ended_on is not None


def check_active(instructor: Instructor) -> None:
    if instructor.ended:
        raise InstructorEnded(f"Instructor '{instructor.id}' ended their appointment on {instructor.ended_on}.")


def check_guidable(unit_id: str, has_own_organization: bool) -> None:
    """An instructor is sent where there is no organization: a unit with its own one needs none."""
    if has_own_organization:
        raise UnitAlreadyCovered(f"Unit '{unit_id}' has a party organization of its own; instructors guide units "
                                 "without one.")


def check_visit(instructor: Instructor, visited_on: date, today: date, members_found: int) -> None:
    check_active(instructor)
    if visited_on > today:
        raise RegistryRuleViolation(f"A visit is logged after it happened; {visited_on} lies in the future.")
    if visited_on < instructor.appointed_on:
        raise RegistryRuleViolation(f"The visit on {visited_on} is before the appointment on {instructor.appointed_on}.")
    if members_found < 0:
        raise RegistryRuleViolation("members_found cannot be negative.")


def is_prospective_branch(members_among_staff: int, has_organization: bool) -> bool:
    return not has_organization and members_among_staff >= MEMBERS_FOR_A_BRANCH

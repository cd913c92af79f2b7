"""Party members: who they are (personal data kept only here), where they belong and live, what they can do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from org_registry.domain.errors import InvalidPersonalData, MemberHasLeft, RegistryRuleViolation

MOBILE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MAX_SKILLS = 20


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    phone: str | None
    id_number: str
    organization_id: str
    work_unit_id: str | None
    residence_area_code: str
    skills: tuple[str, ...]
    in_service: bool
    joined_on: date
    left_on: date | None = None

    @property
    def left(self) -> bool:
        return self.left_on is not None


def normalize_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    digits = re.sub(r"[\s-]", "", phone.strip())
    digits = digits[3:] if digits.startswith("+86") else digits
    if not MOBILE.match(digits):
        raise InvalidPersonalData("The phone is not a mainland mobile number (11 digits starting 13-19).")
    return digits


def normalize_id_number(id_number: str) -> str:
    """An 18-character resident ID number whose last character is the ISO 7064 MOD 11-2 check."""
    value = id_number.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise InvalidPersonalData("The ID number must be 17 digits and a check digit or X.")
    check = ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11]
    if value[17] != check:
        raise InvalidPersonalData("The ID number's check digit does not match.")
    return value


def with_check_digit(first17: str) -> str:
    """Completes 17 digits into a valid ID number (demo and test data)."""
    return first17 + ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidPersonalData("A member's name cannot be blank.")
    return cleaned


def normalize_skills(skills: list[str]) -> tuple[str, ...]:
    """Lower-case, trimmed, distinct, in the order given; `|` is reserved as the stored separator."""
    cleaned = [" ".join(s.split()).lower() for s in skills]
    cleaned = [s for s in dict.fromkeys(cleaned) if s]
    if len(cleaned) > MAX_SKILLS:
        raise RegistryRuleViolation(f"At most {MAX_SKILLS} skills per member.")
    if any("|" in s or len(s) > 50 for s in cleaned):
        raise RegistryRuleViolation("A skill has at most 50 characters and no '|'.")
    return tuple(cleaned)


def check_active(member: Member) -> None:
    if member.left:
        raise MemberHasLeft(f"Member '{member.id}' left on {member.left_on}; the record is closed.")


def check_leave(member: Member, left_on: date) -> None:
    check_active(member)
    if left_on < member.joined_on:
        raise RegistryRuleViolation(f"Left on {left_on} is before joined on {member.joined_on}.")

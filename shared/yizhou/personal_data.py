"""Residents' and members' personal data: who may see it unmasked, how it is masked, and the
denylist that keeps it off partner-facing topics."""

from __future__ import annotations

import re
from typing import Any

from yizhou.auth import AreaScope, Role

# Staff roles see personal data of records inside their own area subtree; nobody else does.
STAFF_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER})

# Field names that must never appear on a partner topic (checked recursively, case-insensitively).
PERSONAL_FIELD_NAMES = frozenset({
    "name", "full_name", "resident_name", "member_name", "secretary_name", "contact_name",
    "phone", "mobile", "telephone", "contact_phone", "resident_phone",
    "id_number", "id_card", "identity_number", "citizen_id",
    "address", "exact_address", "street_address", "home_address",
    "email", "birth_date", "date_of_birth",
})
# Bounded by anything but ASCII letters and digits, so ids (uuid hex, codes) are not mistaken for
# numbers, while "电话13812345678" or "call 010-62345678" still are.
PHONE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")              # mainland mobile numbers
LANDLINE_PATTERN = re.compile(r"(?<![0-9A-Za-z-])0\d{2,3}-?\d{7,8}(?![0-9A-Za-z-])")
ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")  # resident ID card


def sees_personal_data(scope: AreaScope, record_path: str, *, owner_subject: str | None = None) -> bool:
    """Staff whose area covers the record see it; the person the record is about sees their own."""
    if owner_subject is not None and scope.caller.subject == owner_subject:
        return True
    return scope.caller.role in STAFF_ROLES and scope.covers(record_path)


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    return (digits[:3] + "****" + digits[-4:]) if len(digits) >= 7 else "****"


def mask_id_number(id_number: str | None) -> str | None:
    if not id_number:
        return id_number
    return id_number[:2] + "*" * max(0, len(id_number) - 4) + id_number[-2:] if len(id_number) > 4 else "****"


def mask_address(address: str | None) -> str | None:
    return None if address is None else "(hidden)"


def find_personal_data(payload: Any, path: str = "") -> list[str]:
    """Where a payload carries personal fields or values (empty list: clean)."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).lower() in PERSONAL_FIELD_NAMES and value not in (None, "", [], {}):
                found.append(f"{here}: personal field")
            found += find_personal_data(value, here)
    elif isinstance(payload, list):
        for i, value in enumerate(payload):
            found += find_personal_data(value, f"{path}[{i}]")
    elif isinstance(payload, str):
        for label, pattern in (("phone number", PHONE_PATTERN), ("phone number", LANDLINE_PATTERN),
                               ("ID number", ID_NUMBER_PATTERN)):
            if pattern.search(payload):
                found.append(f"{path}: looks like a {label}")
    return found

"""Residents' and members' personal data: who may see it unmasked, how it is masked, and the
denylist that keeps it off partner-facing topics."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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
# The plain ASCII forms only, each written in one run (bounded by anything but ASCII letters and
# digits, so ids and codes are not mistaken for numbers). Free text goes through `find_numbers`,
# which also reads what these miss (full-width, Chinese numerals, separators, +86).
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


def mask_coordinate(value: float | None) -> float | None:
    """A point's latitude or longitude as those who may not see personal data read it: two decimals,
    about 1 km, the neighbourhood and not the door."""
    return None if value is None else round(value, 2)


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
        kinds = {number.kind for number in find_numbers(payload)}
        for label, of in (("phone number", {MOBILE, LANDLINE}), ("ID number", {ID_NUMBER})):
            if kinds & of:
                found.append(f"{path}: looks like a {label}")
    return found


# --- Phone and ID numbers in free text, however they are written ---------------------------------
# One detector for every place that reads free text (the partner guard above, and the scrub that hides
# numbers from viewers without the right). It reads the text as a person does: NFKC first (full-width
# digits and letters to ASCII, NBSP and the ideographic space to spaces), Chinese numerals as digits,
# invisible format characters (zero-width spaces) ignored, and groups of digits joined across
# separators (spaces, dashes, dots, parentheses). A number is a run of whole groups that reads as a
# mobile (1[3-9] and nine digits), a landline with its area code (0, an area code of 2-3 digits, 7-8
# digits), or an ID number (GB 11643-1999: 17 digits and a check digit, which may be X; or the old 15
# digits), after +86 / 0086 or not. Positions are those of the original text, so masking replaces
# exactly the characters the number was written with. Not numbers: digits touching ASCII letters (codes
# such as CY0100101), uuids, amounts; and dates and times are read as such, so their digits never join
# a number beside them.

MOBILE, LANDLINE, ID_NUMBER = "mobile", "landline", "id_number"
MASK = "****"

# 幺 (1) and 两 (2) as numbers are read out, 〇 and 零 (0), and the financial forms (壹, 贰, ...).
_CHINESE_DIGITS = {
    **dict.fromkeys("〇零", "0"), **dict.fromkeys("一幺壹", "1"), **dict.fromkeys("二两兩贰貳", "2"),
    **dict.fromkeys("三叁參", "3"), **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"), **dict.fromkeys("七柒", "7"), **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
# Between groups of digits, after NFKC (which makes NBSP, U+3000 and the other spaces " ", full-width
# dashes and parentheses ASCII): spaces, hyphens and dashes, dots, parentheses.
_SEPARATORS = frozenset(" -.()\u2010\u2012\u2013\u2014\u2015\u2212")
# Chinese punctuation that NFKC would make ASCII, kept as it is: "，" ends a clause, it is no thousands
# separator, nor "：" the colon of a time.
_KEPT = frozenset("，：；！？")
# Not digits of a number (in the normalised text): uuids, and amounts (¥1380, 1,380.00, 1380元, 95.5%).
_OPAQUE = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])"
    r"|[¥$€£] ?\d[\d,]*(?:\.\d+)?"
    r"|(?<![\d,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)"
    r"|(?<![\d.])\d+(?:\.\d+)? ?(?:元|万|亿|块|角|%|‰)")
# Dates and times (2026-11-23, 2026.11.23, 08:30:00.5): their digits are no part of a number beside
# them. (Not where the dashes or dots go on: 1101-0519-1990-01-01-1234 is not a date.)
_DATE_OR_TIME = re.compile(
    r"(?<!\d)(?<!\d[-./])(?:1[89]|20)\d\d([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![-./]?\d)"
    r"|(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?!\d)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # written in one run: 0 + area code (2-3 digits) + 7-8 digits
# Written apart, a landline has the shape of one: 010 and 02x have 8 digits after them, 0311 ... 7 or 8,
# and those never start with 0 or 1.
_LANDLINE_SHAPE = re.compile(r"0(?:10|2\d)[2-9]\d{7}|0[3-9]\d\d[2-9]\d{6,7}")
_ID18 = re.compile(r"\d{17}[\dX]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ARABIC, _CHINESE, _OTHER = 1, 2, 3  # scripts of digits: a change of script also separates groups


@dataclass(frozen=True)
class PersonalNumber:
    """A phone or ID number found in a text: its kind, where it was written (`text[start:end]`, the
    +86 prefix included) and its digits (without the prefix)."""

    kind: str
    start: int
    end: int
    digits: str


@dataclass
class _Group:
    """A run of digits of one script (and an ID number's final X), in the normalised text."""

    digits: str
    start: int
    end: int
    x: bool = False
    glued_left: bool = False   # an ASCII letter touches it: part of a code or id, not a number
    glued_right: bool = False
    alone: bool = False        # part of a date or time: joins no other group
    prefix: bool = False       # +86 or 0086 (or digits like any other)
    prefix_start: int = 0      # where the prefix starts (its "+")


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check digit of an ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _is_date(yyyymmdd: str) -> bool:
    """A birth date an ID number can hold."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1880 <= born.year <= 2099


def _normalised(text: str) -> tuple[list[str], list[int], list[int]]:
    """The text as it is read: characters (digits as ASCII digits), the script of each digit (0: not a
    digit) and the index of the original character each came from."""
    chars: list[str] = []
    scripts: list[int] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out = ch
        elif unicodedata.category(ch) == "Cf":
            continue  # zero-width spaces and joiners, soft hyphens: not seen, so not read
        elif ch in _KEPT:
            out = ch
        else:
            out = unicodedata.normalize("NFKC", ch)
        for c in out:
            script = 0
            if "0" <= c <= "9":
                script = _ARABIC
            elif c in _CHINESE_DIGITS:
                c, script = _CHINESE_DIGITS[c], _CHINESE
            elif not c.isascii() and unicodedata.decimal(c, None) is not None:
                c, script = str(unicodedata.decimal(c)), _OTHER
            chars.append(c)
            scripts.append(script)
            origin.append(i)
    for m in _OPAQUE.finditer("".join(chars)):
        for k in range(m.start(), m.end()):
            chars[k], scripts[k] = "#", 0
    return chars, scripts, origin


def _letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _groups(chars: list[str], scripts: list[int]) -> list[_Group]:
    alone = [False] * len(chars)
    for m in _DATE_OR_TIME.finditer("".join(chars)):
        alone[m.start():m.end()] = [True] * (m.end() - m.start())
    groups: list[_Group] = []
    n, i = len(chars), 0
    while i < n:
        if not scripts[i]:
            i += 1
            continue
        j = i
        while j < n and scripts[j] == scripts[i]:
            j += 1
        g = _Group("".join(chars[i:j]), i, j, glued_left=i > 0 and _letter(chars[i - 1]), alone=any(alone[i:j]))
        if j < n and chars[j] in "Xx" and not (j + 1 < n and (_letter(chars[j + 1]) or scripts[j + 1])):
            g.x, g.end = True, j + 1
        g.glued_right = g.end < n and _letter(chars[g.end])
        # The country prefix, +86 or 0086, is a group of its own (also when written on: +8613912345678).
        # It may be read as digits too (139 0086 8743 is a mobile).
        plus = i > 0 and chars[i - 1] == "+"
        cut = 2 if plus and g.digits.startswith("86") else 4 if g.digits.startswith("0086") else 0
        if cut and not g.glued_left and not g.alone:
            if len(g.digits) > cut:
                groups.append(_Group(g.digits[:cut], i, i + cut, prefix=True, prefix_start=i - 1 if plus else i))
                g.digits, g.start = g.digits[cut:], i + cut
            else:
                g.prefix, g.prefix_start = True, i - 1 if plus else i
        groups.append(g)
        i = g.end
    return groups


def _joined(a: _Group, b: _Group, chars: list[str]) -> bool:
    """Whether group b goes on with the number group a may be part of: only separators between them
    (none, for a change of script); a dot only between groups of 2-4 digits (139.1234.5678, but not
    18.123456789)."""
    if a.x or a.glued_right or b.glued_left or a.alone or b.alone:
        return False
    gap = chars[a.end:b.start]
    if any(c not in _SEPARATORS for c in gap):
        return False
    if "." in gap:
        return gap == ["."] and 2 <= len(a.digits) <= 4 and 2 <= len(b.digits) + b.x <= 4
    return True


# How such numbers are written apart (group sizes; an ID number's X counts): read first among equals.
_USUAL = {MOBILE: {(3, 4, 4), (3, 8), (7, 4)},
          ID_NUMBER: {(6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4), (6, 6, 3)}}


def _usual(kind: str, full: str, sizes: list[int]) -> bool:
    if kind == LANDLINE:  # the area code, then the number whole or in two
        area = 3 if full[1] in "12" else 4
        return sizes[0] == area and (len(sizes) == 2 or (len(sizes) == 3 and sizes[1] in (3, 4) and sizes[2] == 4))
    return tuple(sizes) in _USUAL[kind]


def _reading(full: str, sizes: list[int], after_prefix: bool) -> tuple[str, str, list[int]] | None:
    """What a run of groups reads as (its digits `full`, an ID number's X included, written in groups
    of `sizes`): the kind, and the digits and sizes as read (a landline's trunk 0 restored)."""
    single = len(sizes) == 1
    if not full.endswith("X"):
        if _MOBILE.fullmatch(full):
            return MOBILE, full, sizes
        if after_prefix and full[0] != "0":  # +86 10 6234 5678: the trunk 0 is dropped after the country code
            full, sizes = "0" + full, [sizes[0] + 1, *sizes[1:]]
        # Written apart, the first group holds the area code: 010 6234 5678, (0311) 123-4567.
        if full[0] == "0" and (_LANDLINE.fullmatch(full) if single and not after_prefix
                               else _LANDLINE_SHAPE.fullmatch(full) and sizes[0] >= 3):
            return LANDLINE, full, sizes
        if not after_prefix and len(full) == 15 and full[0] != "0" and _is_date("19" + full[6:12]):
            return ID_NUMBER, full, sizes  # the old ID number: area, yymmdd, sequence
    elif not after_prefix:
        sizes = [*sizes[:-1], sizes[-1] + 1]
    if not after_prefix and _ID18.fullmatch(full) and (single or (full[0] != "0" and (
            _is_date(full[6:14]) or id_check_digit(full[:17]) == full[17]))):
        return ID_NUMBER, full, sizes  # (a mistyped check digit still discloses the number)
    return None


# Among readings equally sure: an ID number, then a mobile (far more often written than a landline with
# its area code: 194 0803 5311 1933), then a landline; then the longer, then the earlier.
_KIND_ORDER = {ID_NUMBER: 0, MOBILE: 1, LANDLINE: 2}


def _sureness(kind: str, full: str, sizes: list[int]) -> int:
    """How sure a reading is, 0 surest: an ID number with a valid check digit and birth date; anything
    written in one run; anything written apart as such numbers are; anything else written apart; an ID
    number with only its check digit valid."""
    if kind == ID_NUMBER and len(full) == 18:
        born = _is_date(full[6:14])
        if born and id_check_digit(full[:17]) == full[17]:
            return 0
        if not born and len(sizes) > 1:
            return 4
    if len(sizes) == 1:
        return 1
    return 2 if _usual(kind, full, sizes) else 3


def _candidates(groups: list[_Group], following: list[int], after_prefix: bool, prefix: int | None) -> list[tuple]:
    """The readings of the runs of groups that start with `following[0]` (after the country prefix
    `groups[prefix]` if `after_prefix`)."""
    found = []
    digits, sizes = "", []
    for b in following:
        g = groups[b]
        if g.glued_right or len(digits) + len(g.digits) > 18:
            break
        digits += g.digits
        sizes.append(len(g.digits))
        reading = _reading(digits + ("X" if g.x else ""), sizes, after_prefix)
        if reading:
            kind, full, read_sizes = reading
            members = set(range(following[0], b + 1))
            start = groups[following[0]].start
            if prefix is not None and kind != ID_NUMBER:
                members.add(prefix)
                start = groups[prefix].prefix_start
            found.append((_sureness(kind, full, read_sizes), _KIND_ORDER[kind], -len(full), start, g.end, kind, full,
                          members))
        if g.x:
            break
    return found


def find_numbers(text: str) -> list[PersonalNumber]:
    """The phone and ID numbers written in `text` (see above), in the order they appear. Where groups of
    digits could be read more than one way, the surest reading wins (see `_sureness`)."""
    chars, scripts, origin = _normalised(text)
    groups = _groups(chars, scripts)
    runs: list[list[int]] = []  # groups that follow on from each other
    for k, g in enumerate(groups):
        if runs and _joined(groups[runs[-1][-1]], g, chars):
            runs[-1].append(k)
        else:
            runs.append([k])
    candidates = []
    for run in runs:
        for ai, a in enumerate(run):
            if groups[a].glued_left:
                continue
            for after_prefix in (False, True) if ai > 0 and groups[run[ai - 1]].prefix else (False,):
                candidates += _candidates(groups, run[ai:], after_prefix, run[ai - 1] if after_prefix else None)
    numbers: list[PersonalNumber] = []
    taken: set[int] = set()
    for *_order, start, end, kind, full, members in sorted(candidates, key=lambda c: c[:4]):
        if members & taken:
            continue
        taken |= members
        inside = chars[start:end]
        if start > 0 and chars[start - 1] == "(" and inside.count(")") > inside.count("("):
            start -= 1  # (010) 6234 5678: the parenthesis opened before the area code
        numbers.append(PersonalNumber(kind, origin[start], origin[end - 1] + 1, full))
    return sorted(numbers, key=lambda p: p.start)


def mask_text(text: str, *, names: Iterable[str | None] = ()) -> str:
    """`text` with each phone and ID number in it (`find_numbers`) replaced by ****, and each of `names`
    (the people the record is about, known by two characters or more) masked as `mask_name` does."""
    for number in reversed(find_numbers(text)):
        text = text[:number.start] + MASK + text[number.end:]
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text

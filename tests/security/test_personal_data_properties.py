"""hypothesis on the rules that keep residents' data private: who sees it (area scope), how it is
masked, and the guard that keeps it off partner topics. Pure functions: no platform needed."""

from __future__ import annotations

import unicodedata
from datetime import date

from demand_intake.use_cases.access import scrub
from hypothesis import example, given, settings
from hypothesis import strategies as st

from yizhou.auth import AreaScope, Caller, Role
from yizhou.personal_data import (STAFF_ROLES, find_personal_data, mask_id_number, mask_name, mask_phone,
                                  sees_personal_data)

codes = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
paths = st.lists(codes, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts) + "/")
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
id_numbers = st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True)
roles = st.sampled_from(list(Role))
# Chinese text and punctuation around the number (a Latin letter glued to it is a code, not a number, by design).
separators = st.text(alphabet="，。 ：:电话号码身份证是()（）\n", min_size=1, max_size=6)


@given(role=roles, caller_path=paths, record_path=paths)
def test_only_staff_covering_the_record_see_it(role, caller_path, record_path):
    scope = AreaScope(Caller(subject="someone", role=role, area="X"), caller_path)
    sees = sees_personal_data(scope, record_path)
    assert sees == (role in STAFF_ROLES and record_path.startswith(caller_path))


@given(role=roles, caller_path=paths, record_path=paths)
def test_the_person_concerned_always_sees_their_own(role, caller_path, record_path):
    scope = AreaScope(Caller(subject="resident-42", role=role, area="X"), caller_path)
    assert sees_personal_data(scope, record_path, owner_subject="resident-42")


@given(phone=mobiles)
def test_a_masked_mobile_hides_the_middle_and_is_not_a_phone_any_more(phone):
    masked = mask_phone(phone)
    assert masked != phone and phone[3:7] not in masked[3:-4] and "****" in masked
    assert not find_personal_data({"note": masked})


@given(name=st.text(min_size=2, max_size=12).filter(lambda s: s.strip() == s and "*" not in s))
def test_a_masked_name_keeps_only_its_first_character(name):
    masked = mask_name(name)
    assert masked[0] == name[0] and set(masked[1:]) == {"*"} and name not in masked


@given(number=id_numbers)
def test_a_masked_id_number_is_not_an_id_number(number):
    masked = mask_id_number(number)
    assert masked != number and not find_personal_data({"note": masked})


@given(before=separators, phone=mobiles, after=separators)
def test_the_guard_finds_a_mobile_inside_free_text(before, phone, after):
    assert find_personal_data({"summary": f"{before}{phone}{after}"})


@given(before=separators, number=id_numbers, after=separators)
def test_the_guard_finds_an_id_number_inside_free_text(before, number, after):
    assert find_personal_data({"items": [{"text": f"{before}{number}{after}"}]})


@given(field=st.sampled_from(["name", "phone", "address", "id_number", "resident_name", "Phone", "ADDRESS"]),
       value=st.text(min_size=1, max_size=20).filter(str.strip))
def test_the_guard_refuses_personal_field_names_at_any_depth(field, value):
    assert find_personal_data({"outer": [{"inner": {field: value}}]})


# --- Phone and ID numbers as people write them into free text -------------------------------------
# Generated numbers (mobiles, landlines with area codes, ID numbers with their GB 11643-1999 check digit,
# the old 15-digit IDs) are written every way a resident or a cadre types them: full-width digits,
# Chinese numerals (幺 for 1, 两 for 2, 〇/零 for 0), scripts mixed between groups, groups split by
# spaces, dashes, dots, NBSP or the ideographic space, zero-width spaces anywhere inside, the +86 / 0086
# prefix, a parenthesised area code; embedded in Chinese text. demand-intake's `scrub` (what a viewer
# without the right reads) must replace exactly the characters that made up the number, and the partner
# guard (`find_personal_data`) must find it.

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


# The test's own normaliser (independent of the module's): what a reader takes for digits.
CHINESE_DIGITS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
                  "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
CHINESE_OF = {"0": "〇零", "1": "一幺", "2": "二两", "3": "三", "4": "四", "5": "五", "6": "六", "7": "七",
              "8": "八", "9": "九"}


def digits_read(text: str) -> str:
    text = "".join(CHINESE_DIGITS.get(c, c) for c in unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if c in "0123456789Xx").upper()


# Chinese text around the number: no digit, numeral, Latin letter, separator or parenthesis.
chinese_text = st.text(alphabet="居民反映楼道灯坏了请联系电话手机座机身份证号码是的：，。！？、；\n", max_size=8)
area_codes_2 = st.sampled_from(["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"])
birthdays = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
GAPS = [" ", "-", "\u00a0", "\u3000", "－", "—", " - ", "  "]


@st.composite
def written(draw, groups: list[str]) -> str:
    """`groups` (digit strings) written as one number: each group in ASCII, full-width or Chinese
    numerals, the groups joined by separators (a dot only between groups of 2-4 digits, as phone
    numbers are dotted; nothing between groups of different scripts)."""
    scripts = draw(st.lists(st.sampled_from(["ascii", "full", "chinese"]), min_size=len(groups), max_size=len(groups)))
    out = []
    for i, (group, script) in enumerate(zip(groups, scripts)):
        if i:
            gaps = GAPS + (["."] if 2 <= len(groups[i - 1]) <= 4 and 2 <= len(group) <= 4 else []) \
                + ([""] if scripts[i - 1] != script and "chinese" in (script, scripts[i - 1]) else [])
            out.append(draw(st.sampled_from(gaps)))
        for d in group:
            if d == "X":
                out.append(draw(st.sampled_from("XxＸｘ")))
            elif script == "ascii":
                out.append(d)
            elif script == "full":
                out.append(chr(0xFF10 + int(d)))
            else:
                out.append(draw(st.sampled_from(CHINESE_OF[d])))
    text = "".join(out)
    for at in sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=2)) if len(text) > 1 else [], reverse=True):
        text = text[:at] + "\u200b" + text[at:]  # an invisible zero-width space anywhere inside
    return text


@st.composite
def split(draw, digits: str, usual: list[list[int]], anywhere: bool = True) -> list[str]:
    """`digits` cut into groups: whole, one of the usual groupings, or (`anywhere`) anywhere."""
    how = draw(st.sampled_from(["whole", "usual", "anywhere"] if anywhere else ["whole", "usual"]))
    if how == "whole":
        return [digits]
    if how == "usual":
        sizes = draw(st.sampled_from(usual))
    else:
        # (an ID number's X stays with the digit before it)
        cuts = sorted(draw(st.sets(st.integers(1, len(digits) - (2 if digits.endswith("X") else 1)), max_size=4)))
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, len(digits)])]
    groups, at = [], 0
    for size in sizes:
        groups.append(digits[at:at + size])
        at += size
    return groups


PREFIXES = ["", "", "+86", "+86 ", "+86-", "(+86) ", "0086", "0086 ", "0086-", "＋８６ "]


@st.composite
def written_mobile(draw, anywhere: bool = True) -> tuple[str, str]:
    digits = draw(mobiles)
    form = draw(written(draw(split(digits, [[3, 4, 4], [3, 8], [7, 4]], anywhere))))
    return draw(st.sampled_from(PREFIXES)) + form, digits


@st.composite
def written_landline(draw, anywhere: bool = True) -> tuple[str, str]:
    area = draw(area_codes_2 | st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True))
    local = draw(st.from_regex(r"[2-8][0-9]{7}" if len(area) == 3 else r"[2-8][0-9]{6,7}", fullmatch=True))
    prefix = draw(st.sampled_from(PREFIXES))
    if prefix and draw(st.booleans()):
        area = area[1:]  # +86 10 6234 5678: the trunk 0 dropped after the country code
    groups = [area, *draw(split(local, [[4, 4]] if len(local) == 8 else [[3, 4]], anywhere))]
    if len(area.lstrip("0")) == 3 and len(local) == 8 and len(groups) > 2 and sum(map(len, groups[1:-1])) == 7:
        # (0691)3555168 4 reads as well as a 7-digit number and a 4: cut elsewhere
        groups = [area, local]
    if draw(st.booleans()):
        # (010) 6234 5678 / （010）62345678
        area_written = draw(written([area]))
        form = draw(st.sampled_from(["(", "（"])) + area_written + draw(st.sampled_from([")", "）", ") ", "）"])) \
            + draw(written(groups[1:]))
    else:
        form = draw(written(groups))
    return prefix + form, area + local


@st.composite
def written_id_number(draw, anywhere: bool = True) -> tuple[str, str]:
    area = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    born = draw(birthdays)
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    if draw(st.integers(0, 3)) == 0:  # the old 15-digit form (born 19yy, no check digit)
        digits = area + born.strftime("%y%m%d") + seq if born.year < 2000 else area + "491231" + seq
        # Cut anywhere, an old ID number may hold a landline or mobile of its own: only the usual cuts.
        groups = draw(st.sampled_from([[digits], [digits[:6], digits[6:12], digits[12:]]]))
        return draw(written(groups)), digits
    first17 = area + f"{born.year:04d}{born.month:02d}{born.day:02d}" + seq
    digits = first17 + id_check_digit(first17)
    groups = draw(split(digits, [[6, 8, 4], [4, 4, 4, 4, 2], [6, 4, 4, 4], [3, 3, 4, 4, 4]], anywhere))
    return draw(written(groups)), digits


@given(before=chinese_text, number=st.one_of(written_mobile(), written_landline(), written_id_number()),
       after=chinese_text)
@settings(max_examples=400, deadline=None)
def test_every_written_form_of_a_phone_or_id_number_is_found_and_masked_exactly(before, number, after):
    form, digits = number
    assert digits in digits_read(form)  # the generator writes the number it means to
    text = f"{before}{form}{after}"
    scrubbed = scrub(text)
    assert digits not in digits_read(scrubbed), scrubbed
    assert scrubbed == f"{before}****{after}", (text, scrubbed)  # only the number's characters replaced
    assert find_personal_data({"note": text}), text


# Not personal data in this domain: dates, times, area codes, ids, money, counts, years.
def _date_forms(d: date) -> list[str]:
    y, m, dd = f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}"
    return [f"{y}-{m}-{dd}", f"{y}.{m}.{dd}", f"{y}/{m}/{dd}", f"{y}年{m}月{dd}日",
            f"{y}-{m}-{dd} 08:30", f"{y}-{m}-{dd}T08:30:00+08:00", f"{y}-{m}-{dd}T23:59:59.123456Z"]


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
not_personal = st.one_of(
    dates.flatmap(lambda d: st.sampled_from(_date_forms(d))),
    st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.uuids().map(lambda u: u.hex),
    st.from_regex(r"[A-Z]{2}[0-9]{2,9}", fullmatch=True),                       # area codes: CY0100101
    st.from_regex(r"/[A-Z]{2}(/[A-Z]{2}[0-9]{2,9}){1,3}/", fullmatch=True),    # area paths
    st.from_regex(r"[1-6][0-9]{5}(00[0-9]{4})?", fullmatch=True),               # division codes 110105, 110105001000
    st.integers(0, 10**12).map(lambda n: f"{n:,}元"),
    st.integers(0, 10**10 - 1).map(str).map(lambda s: f"{s}元"),
    st.tuples(st.integers(0, 10**12), st.integers(0, 99)).map(lambda t: f"¥{t[0]}.{t[1]:02d}"),
    st.tuples(st.integers(0, 10**12), st.integers(0, 99)).map(lambda t: f"{t[0]:,}.{t[1]:02d}元"),
    st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 23), st.integers(0, 59))
      .map(lambda t: f"{t[0]:02d}:{t[1]:02d}-{t[2]:02d}:{t[3]:02d}"),
    st.integers(1900, 2100).map(str), st.integers(0, 100).map(lambda n: f"{n}.{n % 10}%"),
)


@given(value=not_personal | dates.map(lambda d: d.strftime("%Y%m%d")))
@example("CY0100101")
@example("2026-11-23")
@example("¥13912345678.00")        # money, however large, is no mobile
@example("经费13912345678.50元")
@example("2026-11-23T13:59:59.139123+08:00")
@settings(max_examples=300, deadline=None)
def test_dates_ids_codes_and_money_are_not_personal_data(value):
    assert find_personal_data({"note": value}) == [], value
    assert scrub(value) == value


# Beside other digits, a number is read as it is usually grouped (cut anywhere, "19791119 020 22 258804"
# may as well be a mobile and a landline's tail; and a date written 20961229 is as well the 8 digits
# of a landline: "1920868 0837 20961229").
@given(value=not_personal, gap=st.sampled_from([" ", "，", "：", "\n", "；电话"]),
       number=st.one_of(written_mobile(anywhere=False), written_landline(anywhere=False),
                        written_id_number(anywhere=False)))
@settings(max_examples=300, deadline=None)
def test_a_number_beside_a_date_code_or_amount_is_masked_and_the_rest_is_kept(value, number, gap):
    form, _ = number
    assert scrub(f"{value}{gap}{form}") == f"{value}{gap}****"
    assert scrub(f"{form}{gap}{value}") == f"****{gap}{value}"


def test_the_reviewers_examples():
    written_forms = ["１３９１２３４５６７８", "139 1234 5678", "139-1234-5678", "一三九一二三四五六七八",
                     "幺三九幺两三四五六七八", "一三九〇一二三四五六七", "一三九零一二三四五六七", "+86 13912345678",
                     "0086-13912345678", "(010) 6234 5678", "010-62345678", "1101 0519 9001 0112 34",
                     "1101-0519-4912-3100-2X", "110105 19491231 002x", "110105 491231 002"]
    for form in written_forms:
        text = f"居民王某，电话{form}，请尽快联系"
        assert scrub(text) == "居民王某，电话****，请尽快联系", form
        assert find_personal_data({"note": text}), form
    # A year beside a number stays; a plain run of 11 digits starting 13-19 is a mobile.
    assert scrub("2026年 13912345678") == "2026年 ****" and scrub("2026 13912345678") == "2026 ****"
    assert scrub("2026-11-23 139 1234 5678 已回访") == "2026-11-23 **** 已回访"
    assert scrub("项目经费140000000.00元，编码CY0100101") == "项目经费140000000.00元，编码CY0100101"

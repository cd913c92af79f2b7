"""hypothesis on the rules that keep residents' data private: who sees it (area scope), how it is
masked, and the guard that keeps it off partner topics. Pure functions: no platform needed."""

from __future__ import annotations

from hypothesis import given
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

from enum import StrEnum

import pytest

from yizhou.auth import AreaScope, Caller, Role
from yizhou.personal_data import find_personal_data, mask_id_number, mask_name, mask_phone, sees_personal_data
from yizhou.state_machine import IllegalTransition, StateMachine, as_problem


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    OFF = "off"


LIGHT = StateMachine("light", {Light.RED: frozenset({Light.GREEN, Light.OFF}), Light.GREEN: frozenset({Light.RED})})


def test_every_pair_is_legal_or_refused_with_the_allowed_ones():
    legal = set(LIGHT.pairs())
    for a in Light:
        for b in Light:
            if (a, b) in legal:
                assert LIGHT.check(a, b) == b
            else:
                with pytest.raises(IllegalTransition) as exc:
                    LIGHT.check(a, b)
                assert exc.value.current == a.value and exc.value.allowed == LIGHT.allowed_from(a)
    problem = as_problem(IllegalTransition("light", Light.OFF, Light.RED, []))
    assert problem.status == 409 and problem.extensions["allowed_states"] == []


def test_masks_keep_little():
    assert mask_name("张三丰") == "张**"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "11**************2X"


def test_personal_data_is_found_by_field_and_by_value():
    assert find_personal_data({"area": "CY01", "count": 3, "state": "open"}) == []
    assert find_personal_data({"resident": {"name": "王五"}})
    assert find_personal_data({"note": "call 13812345678"})
    assert find_personal_data({"items": [{"text": "ID 11010519491231002X"}]})


def test_only_staff_covering_the_record_see_personal_data():
    def scope(role, path="/CY/CY01/"):
        return AreaScope(Caller("u1", role, "CY01"), path)

    assert sees_personal_data(scope(Role.COMMUNITY_WORKER), "/CY/CY01/CY01001/")
    assert not sees_personal_data(scope(Role.COMMUNITY_WORKER), "/CY/CY02/CY02001/")
    assert not sees_personal_data(scope(Role.PARTNER), "/CY/CY01/CY01001/")
    assert sees_personal_data(scope(Role.RESIDENT), "/CY/CY01/CY01001/", owner_subject="u1")


def test_ids_are_not_mistaken_for_phone_numbers_but_text_is_checked():
    # uuid4 hex whose digit run looks like a mobile number, and a date-like code: not personal data.
    assert find_personal_data({"demand_id": "5d1f3c1e-8d0f-4c55-9d7e-a13812345678", "code": "CY0100101"}) == []
    assert find_personal_data({"demand_id": "0c2d9e8d-0f4c-4559-d7e1-b2a3c4d5e6f0"}) == []
    assert find_personal_data({"note": "电话13812345678"})
    assert find_personal_data({"note": "call 010-62345678 today"})

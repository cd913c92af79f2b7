"""Skills declared in Chinese map to the 21 service categories (yizhou.categories_zh), so a member's
法律咨询 or 电工 becomes a resource project-matching can match."""

import pytest

from yizhou.categories_zh import SKILL_WORDS_ZH, categories_for_skills_zh
from yizhou.contracts.categories import CATEGORY_NAMES_ZH, SERVICE_CATEGORIES


@pytest.mark.parametrize("code", sorted(CATEGORY_NAMES_ZH))
def test_each_category_name_maps_to_that_category_alone(code):
    assert categories_for_skills_zh([CATEGORY_NAMES_ZH[code]]) == [code]


def test_the_skills_members_enter():
    assert categories_for_skills_zh(["法律咨询"]) == ["legal_aid"]
    assert categories_for_skills_zh(["护理"]) == ["elderly_care", "health", "disability_support"]
    assert categories_for_skills_zh(["电工"]) == ["utilities", "housing_repair"]
    assert set(categories_for_skills_zh(["退休教师，辅导功课"])) == {"community_education", "children_youth"}
    assert categories_for_skills_zh(["律师", "调解邻里纠纷"]) == ["legal_aid", "neighbour_disputes"]
    assert categories_for_skills_zh(["绿化"]) == ["public_space"]  # half of 绿化养护与公共空间


def test_spaces_repeats_and_unknown_words():
    assert categories_for_skills_zh(["法律 咨询", "法律咨询"]) == ["legal_aid"]
    assert categories_for_skills_zh(["集邮", "", "first aid"]) == []


def test_every_word_names_real_categories_and_is_at_least_two_characters():
    for word, codes in SKILL_WORDS_ZH.items():
        assert len(word) >= 2, word
        assert codes and all(c in SERVICE_CATEGORIES for c in codes), (word, codes)

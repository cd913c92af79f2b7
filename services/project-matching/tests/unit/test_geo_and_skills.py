"""Plane distances and the categories of members' skills (English and Chinese)."""

from __future__ import annotations

from project_matching.domain.geo import to_plane


def test_plane_distances_are_metres():
    x1, y1 = to_plane(39.92, 116.48)
    x2, y2 = to_plane(39.93, 116.48)
    assert (x1, y1) == (0.0, 0.0) and 1100 < y2 - y1 < 1110


def test_skills_written_in_chinese_become_resource_categories():
    from project_matching.domain.resource import categories_for_skills

    assert "legal_aid" in categories_for_skills(["法律咨询"])
    assert "elderly_care" in categories_for_skills(["护理"])
    assert categories_for_skills(["tutoring", "电工"]) == [*categories_for_skills(["tutoring"]),
                                                       *categories_for_skills(["电工"])]
    assert categories_for_skills(["电工"])  # a trade, through the common words

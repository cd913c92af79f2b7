"""Chinese skill names to the 21 service categories.

Members declare skills in their own words, and in the district those words are Chinese (法律咨询, 护理,
电工). A skill maps to a category when it contains the category's Chinese name (`CATEGORY_NAMES_ZH`,
split at 与 "and") or one of the common words below (synonyms and trades). Chinese has no spaces between words, so the
match is on substrings; every word is at least two characters, so one character never matches alone.
Pure functions: domain code of any service may use them.
"""

from __future__ import annotations

from collections.abc import Iterable

from yizhou.contracts.categories import CATEGORY_NAMES_ZH

# Words people use for a skill, beyond the categories' own names. Ordered by category for review.
SKILL_WORDS_ZH: dict[str, tuple[str, ...]] = {
    "养老": ("elderly_care",), "陪护": ("elderly_care",), "护工": ("elderly_care", "disability_support"),
    "护理": ("elderly_care", "health", "disability_support"), "陪诊": ("elderly_care", "health"),
    "助餐": ("meal_assistance",), "送餐": ("meal_assistance",), "厨师": ("meal_assistance",),
    "烹饪": ("meal_assistance",), "做饭": ("meal_assistance",),
    "助残": ("disability_support",), "残疾": ("disability_support",), "手语": ("disability_support",),
    "康复": ("disability_support", "health"),
    "救助": ("mutual_aid",), "帮扶": ("mutual_aid",), "互助": ("mutual_aid",),
    "辅导": ("children_youth", "community_education"), "家教": ("children_youth", "community_education"),
    "托管": ("children_youth",), "青少年": ("children_youth",), "儿童": ("children_youth",),
    "家政": ("family_services",), "育儿": ("family_services", "children_youth"), "婚姻": ("family_services",),
    "社工": ("family_services", "mutual_aid"),
    "就业": ("employment",), "招聘": ("employment",), "职业": ("employment",), "人力资源": ("employment",),
    "医生": ("health",), "医疗": ("health",), "医务": ("health",), "护士": ("health", "elderly_care"),
    "急救": ("health",), "义诊": ("health",), "健康": ("health",), "中医": ("health",),
    "心理": ("psychological_support",), "咨询师": ("psychological_support",),
    "法律": ("legal_aid",), "律师": ("legal_aid",), "法务": ("legal_aid",), "普法": ("legal_aid",),
    "调解": ("neighbour_disputes",), "纠纷": ("neighbour_disputes",),
    "治安": ("public_safety",), "巡逻": ("public_safety",), "安保": ("public_safety",), "消防": ("public_safety",),
    "平安": ("public_safety",),
    "保洁": ("sanitation",), "清洁": ("sanitation",), "垃圾分类": ("sanitation",), "环卫": ("sanitation",),
    "绿化": ("public_space",), "园艺": ("public_space",), "停车": ("public_space",),
    "修缮": ("housing_repair",), "维修": ("housing_repair",), "装修": ("housing_repair",),
    "木工": ("housing_repair",), "瓦工": ("housing_repair",),
    "电工": ("utilities", "housing_repair"), "水电": ("utilities", "housing_repair"),
    "水暖": ("utilities", "housing_repair"), "管道": ("utilities", "housing_repair"), "供暖": ("utilities",),
    "燃气": ("utilities",),
    "文艺": ("culture_sports",), "体育": ("culture_sports",), "健身": ("culture_sports",),
    "舞蹈": ("culture_sports",), "音乐": ("culture_sports",), "书法": ("culture_sports", "community_education"),
    "摄影": ("culture_sports",), "唱歌": ("culture_sports",), "合唱": ("culture_sports",),
    "教师": ("community_education", "children_youth"), "教学": ("community_education", "children_youth"),
"讲座": ("community_education",), "电脑": ("community_education",),
    "计算机": ("community_education",), "智能手机": ("community_education", "elderly_care"),
    "理发": ("convenience_services",), "家电": ("convenience_services", "housing_repair"),
    "开锁": ("convenience_services",), "司机": ("convenience_services", "elderly_care"),
    "驾驶": ("convenience_services", "elderly_care"), "跑腿": ("convenience_services",),
    "翻译": ("migrant_services",), "外来人口": ("migrant_services",), "流动人口": ("migrant_services",),
    "会计": ("social_organization_development",), "财务": ("social_organization_development",),
    "志愿者管理": ("social_organization_development",), "社会组织": ("social_organization_development",),
}


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in CATEGORY_NAMES_ZH.items():
        for word in (name, *name.split("与")):  # 绿化养护与公共空间: the whole name and each half
            names[word] = code
    return dict(sorted(names.items(), key=lambda item: -len(item[0])))  # longest first


NAMES_ZH: dict[str, str] = _names()


def categories_for_skills_zh(skills: Iterable[str]) -> list[str]:
    """The category codes the skills serve, in first-seen order, without repeats; [] for none.

    A category's own name counts for that category alone (水电气热 is utilities, though 水电 also
    means repairs), so names are taken out of the text before the common words are looked for."""
    found: dict[str, None] = {}
    for skill in skills:
        text = "".join(skill.split())  # 法律 咨询 is 法律咨询
        for name, code in NAMES_ZH.items():
            if name in text:
                found[code] = None
                text = text.replace(name, "|")
        for word, codes in SKILL_WORDS_ZH.items():
            if word in text:
                found.update(dict.fromkeys(codes))
    return list(found)

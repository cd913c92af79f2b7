"""The platform's service categories: the 21 categories of the district's government
purchase-of-services programme (政府购买服务, "围绕群众需要的21类服务", seed 002).

The seeds give the count (21) and name six of the services bought (seed 000: 社区绿化养护, 清扫保洁,
文体活动, 互助救济, 居家养老, 就业培训); they do not list all 21. The other fifteen are derived from
the services the seeds' practice describes (priority households of the "ten must-visit" work:
elderly living alone, disabled, low-income; mediation, safety, education, the service alliance)
and from the codes demand-intake already used, so existing demands keep their category.
Codes are stable identifiers; names are English, `CATEGORY_NAMES_ZH` gives the Chinese.
"""

from __future__ import annotations

SERVICE_CATEGORIES: dict[str, str] = {
    "elderly_care": "Home-based elderly care",
    "meal_assistance": "Meal assistance",
    "disability_support": "Support for people with disabilities",
    "mutual_aid": "Mutual aid and relief for households in hardship",
    "children_youth": "Children and youth",
    "family_services": "Family services",
    "employment": "Employment and job training",
    "health": "Health services",
    "psychological_support": "Psychological counselling",
    "legal_aid": "Legal aid",
    "neighbour_disputes": "Neighbour disputes and mediation",
    "public_safety": "Public safety",
    "sanitation": "Sanitation and cleaning",
    "public_space": "Public space, parking and greening",
    "housing_repair": "Housing repair",
    "utilities": "Water, power, gas and heating",
    "culture_sports": "Culture and sports",
    "community_education": "Community education",
    "convenience_services": "Convenience services",
    "migrant_services": "Services for non-local residents",
    "social_organization_development": "Developing community social organizations",
}

CATEGORY_NAMES_ZH: dict[str, str] = {
    "elderly_care": "居家养老", "meal_assistance": "助餐服务", "disability_support": "助残服务",
    "mutual_aid": "互助救济", "children_youth": "儿童青少年服务", "family_services": "家庭服务",
    "employment": "就业培训", "health": "医疗卫生", "psychological_support": "心理疏导", "legal_aid": "法律援助",
    "neighbour_disputes": "矛盾调解", "public_safety": "社区平安", "sanitation": "清扫保洁",
    "public_space": "绿化养护与公共空间", "housing_repair": "房屋修缮", "utilities": "水电气热",
    "culture_sports": "文体活动", "community_education": "社区教育", "convenience_services": "便民服务",
    "migrant_services": "流动人口服务", "social_organization_development": "社会组织培育",
}

assert len(SERVICE_CATEGORIES) == 21 and SERVICE_CATEGORIES.keys() == CATEGORY_NAMES_ZH.keys()


def is_category(code: str) -> bool:
    return code in SERVICE_CATEGORIES

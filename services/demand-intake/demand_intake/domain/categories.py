"""Service categories. The platform's list (the 21 categories of the government purchase-of-services
programme) is project-matching's contract `yizhou.contracts.categories.SERVICE_CATEGORIES`; should
it be missing (an older shared library), demand-intake falls back to a few common codes of its own."""

from __future__ import annotations

import importlib

FALLBACK_CATEGORIES: dict[str, str] = {
    "elderly_care": "Elderly care",
    "disability_support": "Support for people with disabilities",
    "utilities": "Water, power, gas and heating",
    "public_space": "Public space, parking and greening",
    "sanitation": "Sanitation and waste",
    "housing_repair": "Housing repair",
    "public_safety": "Public safety",
    "neighbour_disputes": "Neighbour disputes and mediation",
    "employment": "Employment help",
    "health": "Health services",
    "children_youth": "Children and youth",
    "culture_sports": "Culture and sports",
}


def service_categories() -> dict[str, str]:
    try:
        module = importlib.import_module("yizhou.contracts.categories")
    except ModuleNotFoundError:
        return dict(FALLBACK_CATEGORIES)
    categories = getattr(module, "SERVICE_CATEGORIES", None)
    return dict(categories) if categories else dict(FALLBACK_CATEGORIES)


def is_known(code: str) -> bool:
    return code in service_categories()

"""Cards as an XLSX workbook (openpyxl): one row per member or unit, for the community's files."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from dual_registration.domain.cards import Card
from dual_registration.domain.evaluation import RATINGS

HEADERS = ["subject_kind", "subject_id", "organization_id", "community_code", "period", "hours", "services",
           "claims_held", *[f"ratings_{r}" for r in RATINGS], "average_score", "community_rating",
           "hours_required", "hours_threshold_met", "all_thresholds_met"]


def cards_workbook(cards: list[Card], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for card in cards:
        hours = next(t for t in card.thresholds if t.name == "service_hours")
        sheet.append([card.subject_kind, card.subject_id, card.organization_id, card.community_code, card.period,
                      card.hours, card.services, card.claims_held, *[card.rating_counts[r] for r in RATINGS],
                      card.average_score, card.community_rating, hours.required, "yes" if hours.met else "no",
                      "yes" if card.all_thresholds_met else "no"])
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()

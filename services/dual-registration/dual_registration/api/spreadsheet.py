"""Cards as an XLSX workbook (openpyxl): one row per member or unit, for the community's files.

Names stand beside ids (the unit's, its party organization's, the community's), so the sheet reads
without a lookup. Members have no name here: their names are personal data this service never holds.
Every text cell is written as a string: a name such as `=HYPERLINK(...)` from another service's event
stays text in Excel and never runs as a formula.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from dual_registration.domain.cards import Card
from dual_registration.domain.evaluation import RATINGS
from dual_registration.use_cases.cards import CardNames

HEADERS = ["subject_kind", "subject_id", "subject_name", "organization_id", "organization_name", "community_code",
           "community_name", "period", "hours", "services", "claims_held", *[f"ratings_{r}" for r in RATINGS],
           "average_score", "community_rating", "hours_required", "hours_threshold_met", "all_thresholds_met"]


def cards_workbook(cards: list[Card], title: str, names: CardNames) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for card in cards:
        hours = next(t for t in card.thresholds if t.name == "service_hours")
        subject_name = names.units.get(card.subject_id) if card.subject_kind == "unit" else None
        sheet.append([card.subject_kind, card.subject_id, subject_name, card.organization_id,
                      names.organizations.get(card.organization_id or ""), card.community_code,
                      names.areas.get(card.community_code or ""), card.period,
                      card.hours, card.services, card.claims_held, *[card.rating_counts[r] for r in RATINGS],
                      card.average_score, card.community_rating, hours.required, "yes" if hours.met else "no",
                      "yes" if card.all_thresholds_met else "no"])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl reads a leading '=' as a formula; ours are text
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()

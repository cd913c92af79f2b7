"""The three rates of a hotline centre (response, resolution, satisfaction), defined once here and
in docs/services/demand-intake.md, and the periods they are counted over."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, tzinfo

from demand_intake.domain.errors import BadPeriod
from yizhou.district_clock import DEFAULT_ZONE, BadPeriodLabel, period_bounds, yyyymm


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime      # inclusive
    end: datetime        # exclusive
    zone: tzinfo = DEFAULT_ZONE   # the district's: whose midnight cuts it and its months


def parse_period(label: str, zone: tzinfo = DEFAULT_ZONE) -> Period:
    """`2026` (a year), `2026-Q3` (a quarter) or `2026-11` (a month), from midnight to midnight in the
    district's time zone `zone` (the service passes its DISTRICT_TIME_ZONE; the default is the default's)."""
    try:
        start, end = period_bounds(label, zone)
    except BadPeriodLabel as exc:
        raise BadPeriod(str(exc)) from None
    return Period(label, start, end, zone)


@dataclass(frozen=True)
class Counts:
    """What the read model counts for one area subtree and period (see docs/services/demand-intake.md: the three rates)."""

    submitted: int = 0            # submitted in the period, not withdrawn, not merged into another
    response_settled: int = 0     # responded, or past the response deadline without a response
    responded_on_time: int = 0    # responded before any response-deadline breach
    handled: int = 0              # the population less rejected demands
    resolved: int = 0             # currently resolved or closed
    with_feedback: int = 0        # the resident's latest feedback is recorded
    satisfied: int = 0            # ... and it is satisfied or basically satisfied
    backlog: int = 0              # not yet resolved, closed or rejected
    overdue_open: int = 0         # backlog with a breached deadline
    with_resident_feedback: int = 0   # the resident's own latest word on satisfaction (their account or a staff callback)
    satisfied_by_resident: int = 0    # ... and it is satisfied or basically satisfied
    imported: int = 0             # brought in by an import: in none of the counts above
    with_resident_answer: int = 0     # the resident answered "resolved?" at a callback (their account or a staff call)
    resolved_by_resident: int = 0     # ... and said yes

    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in COUNTERS)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(a - b for a, b in zip(self.values(), other.values(), strict=True)))

    def __bool__(self) -> bool:
        return any(self.values())


COUNTERS = tuple(f.name for f in fields(Counts))
NOT_COUNTED = ("withdrawn", "merged")             # outside every rate's population
DONE = ("resolved", "closed")
SATISFIED = ("satisfied", "basically_satisfied")
SETTLED = ("resolved", "closed", "rejected", "withdrawn", "merged")   # not in the backlog


def contribution(state: str, responded: bool, respond_overdue: bool, feedback: str | None, overdue: bool, *,
                 feedback_by: str | None = None, imported: bool = False, said_resolved: bool | None = None,
                 said_satisfaction: str | None = None, reduced: bool = False) -> Counts:
    """What one demand, as it stands now, adds to the counts of its area and period (zero when it is
    outside the population). The read model's SQL over demand facts counts exactly this. An imported
    demand counts only as imported: its history was entered by those the rates measure, so it moves
    no rate (issue 19's back-dated "closed, satisfied" imports). `said_*`: the resident's own latest
    answers (their account, or a callback staff made to them); `feedback`/`feedback_by` is the latest
    recorded by anyone, staff entries included (the recorded figures only). A hotline work order the
    district reduced (核减, `reduced`) is out of every count, as if it never reached the area."""
    if state in NOT_COUNTED or reduced:
        return Counts()
    if imported:
        return Counts(imported=1)
    open_ = state not in SETTLED
    said = said_satisfaction is not None
    return Counts(submitted=1, response_settled=int(responded or respond_overdue),
                  responded_on_time=int(responded and not respond_overdue), handled=int(state != "rejected"),
                  resolved=int(state in DONE), with_feedback=int(feedback is not None),
                  satisfied=int(feedback in SATISFIED), backlog=int(open_), overdue_open=int(open_ and overdue),
                  with_resident_feedback=int(said), satisfied_by_resident=int(said and said_satisfaction in SATISFIED),
                  with_resident_answer=int(said_resolved is not None), resolved_by_resident=int(said_resolved is True))


# --- the roll-up: counts summed per community subtree, month of submission and category ----------

ROLLUP_DEPTH = 3   # district / subdistrict / community: grids roll up into their community


def rollup_path(path: str) -> str:
    """The path a demand's counts are summed under: its community's (or its own, above that)."""
    return "/" + "/".join(path.strip("/").split("/")[:ROLLUP_DEPTH]) + "/"


def rolled_up(path: str) -> bool:
    """Whether the roll-up answers for the subtree at `path` (every level down to the community)."""
    return len(path.strip("/").split("/")) <= ROLLUP_DEPTH


def month_of(at: datetime, zone: tzinfo = DEFAULT_ZONE) -> int:
    """The month a demand was submitted in, as yyyymm, on the district's clock (`zone`): a demand at
    2026-11-30T16:30Z is December's in Beijing. The roll-up keys its cells by it, so a change of
    DISTRICT_TIME_ZONE needs a rebuild (`yizhou demand-intake rates rebuild`)."""
    return yyyymm(at, zone)


def months_of(period: Period) -> tuple[int, int]:
    """The months of a period as [first, after-last) in yyyymm, on the period's own clock."""
    return month_of(period.start, period.zone), month_of(period.end, period.zone)


def ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


@dataclass(frozen=True)
class Rates:
    """The scored figures count what residents said; the declared and recorded ones, beside them, what
    staff declared or entered (shown, never scored or ranked)."""

    response_rate: float | None
    resolution_rate: float | None              # the residents' answer "resolved?" at callbacks
    satisfaction_rate: float | None            # the residents' own word: their account or a staff callback
    declared_resolution_rate: float | None     # resolved or closed as staff declared it
    recorded_satisfaction_rate: float | None   # all recorded feedback, staff entries included
    resident_satisfaction_rate: float | None   # = satisfaction_rate (its name in the previous version)


def rates_of(c: Counts) -> Rates:
    satisfaction = ratio(c.satisfied_by_resident, c.with_resident_feedback)
    return Rates(response_rate=ratio(c.responded_on_time, c.response_settled),
                 resolution_rate=ratio(c.resolved_by_resident, c.with_resident_answer),
                 satisfaction_rate=satisfaction,
                 declared_resolution_rate=ratio(c.resolved, c.handled),
                 recorded_satisfaction_rate=ratio(c.satisfied, c.with_feedback),
                 resident_satisfaction_rate=satisfaction)

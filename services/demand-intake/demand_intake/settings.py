from pydantic import Field, field_validator

from demand_intake.domain.deadlines import check_overrides
from demand_intake.domain.rankings import (DEFAULT_REMEDIATION, DEFAULT_WEIGHTS, Remediation, parse_remediation,
                                           parse_weights)

from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "demand-intake"
    own_database_url: str | None = own_url_field("DEMAND_INTAKE_DATABASE_URL")

    # {category|*: {urgency|*: {"respond_hours": h, "resolve_hours": h}}} over the documented defaults
    # (demand_intake/domain/deadlines.py, docs/services/demand-intake.md), e.g. DEMAND_DEADLINES='{"elderly_care": {"*": {"resolve_hours": 72}}}'.
    # A clock may be in working days instead ("resolve_working_days": 5): the district's calendar, 17:30 on the last day.
    deadlines: dict[str, dict[str, dict[str, float]]] = Field(default_factory=dict, validation_alias="DEMAND_DEADLINES")
    report_in_hours: float = Field(default=24, validation_alias="DEMAND_REPORT_IN_HOURS")
    sweep_interval_s: float = Field(default=30, validation_alias="DEMAND_SWEEP_INTERVAL_S")
    sweeper_enabled: bool = Field(default=True, validation_alias="DEMAND_SWEEPER_ENABLED")
    duplicate_distance_m: float = Field(default=300, validation_alias="DEMAND_DUPLICATE_DISTANCE_M")
    duplicate_min_score: float = Field(default=60, validation_alias="DEMAND_DUPLICATE_MIN_SCORE")
    duplicate_window_days: int = Field(default=30, validation_alias="DEMAND_DUPLICATE_WINDOW_DAYS")
    # The district's weights of the composite score the rankings order by (docs/services/demand-intake.md).
    rate_weights: str = Field(default=DEFAULT_WEIGHTS, validation_alias="RATE_WEIGHTS")
    # Areas under remediation in a ranking: `bottom=N` (the N lowest, ties included) or `below=S` (score < S).
    ranking_remediation: str = Field(default=DEFAULT_REMEDIATION, validation_alias="RANKING_REMEDIATION")

    @field_validator("deadlines")
    @classmethod
    def _followable_deadlines(cls, deadlines: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
        check_overrides(deadlines)
        return deadlines

    @field_validator("rate_weights")
    @classmethod
    def _readable_weights(cls, text: str) -> str:
        parse_weights(text)   # a typo stops the service from starting, not every ranking
        return text

    @field_validator("ranking_remediation")
    @classmethod
    def _readable_remediation(cls, text: str) -> str:
        parse_remediation(text)
        return text

    @property
    def weights(self) -> dict[str, float]:
        return parse_weights(self.rate_weights)

    @property
    def remediation(self) -> Remediation:
        return parse_remediation(self.ranking_remediation)

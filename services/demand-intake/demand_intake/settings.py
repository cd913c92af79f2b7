from pydantic import Field, field_validator

from demand_intake.domain.deadlines import check_overrides

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

    @field_validator("deadlines")
    @classmethod
    def _followable_deadlines(cls, deadlines: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
        check_overrides(deadlines)
        return deadlines

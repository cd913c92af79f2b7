"""The district's clock and calendar (`yizhou.district_clock`, `yizhou.working_days`; docs/operations.md
"The district's clock"). A mixin of `ServiceSettings`; both are checked when a service starts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from yizhou.district_clock import DEFAULT_TIME_ZONE, zone_named
from yizhou.working_days import WorkingCalendar, parse_overrides


class DistrictSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Every period (rates months, evaluation quarters, ...) is cut at midnight on this zone's clock.
    district_time_zone: str = Field(default=DEFAULT_TIME_ZONE, validation_alias="DISTRICT_TIME_ZONE")
    # What the holiday package lacks or the district decides itself: "2027-01-01=holiday,2027-02-06=working".
    district_calendar_overrides: str = Field(default="", validation_alias="DISTRICT_CALENDAR_OVERRIDES")

    @field_validator("district_time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        zone_named(name)   # a typo refuses to start rather than cut periods in UTC
        return name

    @field_validator("district_calendar_overrides")
    @classmethod
    def _readable_overrides(cls, text: str) -> str:
        parse_overrides(text)
        return text

    @property
    def district_zone(self) -> ZoneInfo:
        return zone_named(self.district_time_zone)

    @property
    def district_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(parse_overrides(self.district_calendar_overrides))

"""The leading core axis (领导核心轴): every area of the axis led by one party organization of the mode its
kind calls for (district committee, working committee, community or village organization, grid branch).
The figure a district watches is the share of its areas that have one, per level."""

from __future__ import annotations

from dataclasses import dataclass

from org_registry.domain.area import Area
from org_registry.domain.coverage import share


@dataclass(frozen=True)
class LedArea:
    area: Area
    leader_id: str | None
    leader_name: str | None


@dataclass(frozen=True)
class LevelCount:
    level: str
    areas: int
    led: int

    @property
    def led_share(self) -> float | None:
        return share(self.led, self.areas)

    @property
    def without_leader(self) -> int:
        return self.areas - self.led

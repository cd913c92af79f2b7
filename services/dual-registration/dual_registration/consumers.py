"""Events dual-registration reads: the area axis, into its own read copy."""

from yizhou.axis_copy import AXIS_COPY_SUBSCRIPTIONS, area_copy
from yizhou.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [*AXIS_COPY_SUBSCRIPTIONS]

# Tables built only from events: `yizhou rebuild dual-registration` clears and replays them.
READ_MODELS = [area_copy]

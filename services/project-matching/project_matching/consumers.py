"""Events project-matching reads: the area axis, into its own read copy."""

from yizhou.axis_copy import AXIS_COPY_SUBSCRIPTIONS
from yizhou.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [*AXIS_COPY_SUBSCRIPTIONS]

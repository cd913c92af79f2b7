"""Events org-registry reads: none yet; it is the source of the axis."""

from yizhou.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []

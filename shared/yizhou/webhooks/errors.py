"""The bridge's own kinds of refusal (application errors; the API layer renders them as problem+json)."""

from __future__ import annotations

from yizhou.errors import ApplicationError, register_problem


class EndpointLimit(ApplicationError):
    kind = register_problem("webhook-endpoint-limit", 409, "The partner holds the most endpoints allowed")


class EndpointInactive(ApplicationError):
    kind = register_problem("webhook-endpoint-inactive", 409, "The endpoint is deactivated")


class DeliveryQueueFull(ApplicationError):
    kind = register_problem("webhook-queue-full", 409, "The endpoint has the most pending deliveries allowed")


class ReplayInProgress(ApplicationError):
    kind = register_problem("webhook-replay-in-progress", 409, "A replay of this endpoint is running")


class ReplayTooSoon(ApplicationError):
    """Carries `retry_after_s` (also sent as the Retry-After header)."""

    kind = register_problem("webhook-replay-too-soon", 429, "The endpoint was replayed too recently")

"""The bridge's limits and egress policy, read from the service's settings.

Every value is a setting of the service (yizhou.settings: WEBHOOKS_ALLOW_HTTP_LOOPBACK,
WEBHOOKS_ALLOWED_NETWORKS, WEBHOOK_MAX_ENDPOINTS_PER_PARTNER, WEBHOOK_MAX_PENDING_PER_ENDPOINT,
WEBHOOK_REPLAY_MIN_INTERVAL_S, WEBHOOK_REPLAY_STALE_AFTER_S, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_S,
WEBHOOK_TIMEOUT_S); the defaults here serve code that builds a config without settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yizhou.webhooks.egress import EgressPolicy

DEFAULT_MAX_ENDPOINTS_PER_PARTNER = 20
DEFAULT_MAX_PENDING_PER_ENDPOINT = 1000
DEFAULT_REPLAY_MIN_INTERVAL_S = 60.0
DEFAULT_REPLAY_STALE_AFTER_S = 900.0
DEFAULT_TIMEOUT_S = 10.0


def _networks(value) -> tuple[str, ...]:
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


@dataclass(frozen=True)
class WebhookConfig:
    policy: EgressPolicy = field(default_factory=EgressPolicy)
    # Active endpoints one registering subject may hold; one more is refused (409 `endpoint-limit`).
    max_endpoints_per_partner: int = DEFAULT_MAX_ENDPOINTS_PER_PARTNER
    # Pending deliveries one endpoint may have. A new event beyond it is not queued: its delivery is
    # logged as `dropped` (the partner replays from that time once it is back); see intake.py.
    max_pending_per_endpoint: int = DEFAULT_MAX_PENDING_PER_ENDPOINT
    # One replay per endpoint at a time, and a new one only this long after the last one started.
    replay_min_interval_s: float = DEFAULT_REPLAY_MIN_INTERVAL_S
    # A replay still marked running after this long is taken as crashed: a new one may start.
    replay_stale_after_s: float = DEFAULT_REPLAY_STALE_AFTER_S
    max_attempts: int = 8
    backoff_s: float = 5.0
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_settings(cls, settings) -> WebhookConfig:
        return cls(
            policy=EgressPolicy.of(allow_loopback=settings.webhooks_allow_http_loopback,
                                   networks=_networks(settings.webhooks_allowed_networks)),
            max_endpoints_per_partner=settings.webhook_max_endpoints_per_partner,
            max_pending_per_endpoint=settings.webhook_max_pending_per_endpoint,
            replay_min_interval_s=settings.webhook_replay_min_interval_s,
            replay_stale_after_s=settings.webhook_replay_stale_after_s,
            max_attempts=settings.webhook_max_attempts,
            backoff_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
        )

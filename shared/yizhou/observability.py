"""Prometheus metrics of every service (the HTTP middleware that times requests is `yizhou.http_metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_RATE_LIMITED = Counter("http_rate_limited_total", "Requests refused with 429 by a rate limit (yizhou.rate_limits)",
                            ["service", "limit"])
# Closed by the server before a request arrived whole (yizhou.slow_clients): phase is headers, header_size or body.
SLOW_CLIENTS_CLOSED = Counter("http_slow_clients_closed_total", "Connections closed for sending a request too slowly",
                              ["phase"])
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["service"])
EVENTS_APPLIED = Counter("events_applied_total", "Events applied by consumers", ["group", "event_type"])
DEAD_LETTERS = Counter("dead_letters_total", "Records sent to a dead-letter topic", ["group", "topic"])
TOPIC_CONFIG_MISMATCHES = Gauge("kafka_topic_config_mismatches",
                                "Differences between the cluster's topics and what the platform needs (retention, "
                                "min.insync.replicas), found at start", ["service"])
CONSUMER_LAG = Gauge("consumer_lag", "Records behind the partition end", ["group", "topic", "partition"])

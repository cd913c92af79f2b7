"""The webhook bridge: partners without Kafka register an endpoint and receive partner events by
signed HTTP POST (Standard Webhooks), retried with backoff, dead-lettered after N tries, with a
delivery log, re-send and replay from a time. Mounted by one service (org-registry)."""

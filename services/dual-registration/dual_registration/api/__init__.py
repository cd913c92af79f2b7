"""dual-registration's HTTP API: one router per resource."""

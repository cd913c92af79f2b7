"""project-matching's HTTP API: one router per resource."""

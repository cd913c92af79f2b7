"""project-matching's use cases: one unit of work each, domain rules, store, outbox."""

"""Rules of dual-registration with no web, database or broker import."""

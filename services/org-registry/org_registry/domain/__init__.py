"""Rules of org-registry with no web, database or broker import."""

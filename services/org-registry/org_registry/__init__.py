"""org-registry: the area axis and who is where on it."""

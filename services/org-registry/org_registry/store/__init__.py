"""org-registry's tables and the queries over them."""

"""project-matching's tables and the queries over them."""

"""demand-intake's tables and the queries over them."""

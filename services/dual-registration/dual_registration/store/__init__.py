"""dual-registration's tables and the queries over them."""

"""Event contracts other services consume: one module per published aggregate, owned by its publisher."""

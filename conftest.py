# Fixtures for every test in the repository live in shared (yizhou.testing), written once.
pytest_plugins = ["yizhou.testing"]

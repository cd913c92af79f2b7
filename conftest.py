# Fixtures for every test in the repository live in shared (yizhou_platform.testing), written once.
pytest_plugins = ["yizhou_platform.testing"]

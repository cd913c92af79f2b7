"""Rules of project-matching with no web, database or broker import: the matching engine, projects, budgets."""

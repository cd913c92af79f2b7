"""project-matching: the lists of demands, resources and projects, the project lifecycle and the matching engine."""

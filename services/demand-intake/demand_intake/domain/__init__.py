"""Rules of demand-intake with no web, database or broker import."""

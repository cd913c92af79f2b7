"""project-matching's own tables (SQLAlchemy Core; portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, Integer, MetaData, String, Table, UniqueConstraint

from yizhou.columns import UtcDateTime

metadata = MetaData()

resources = Table(
    "resources", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("title", String(200), nullable=False),
    Column("provider_kind", String(32), nullable=False),
    Column("provider_id", String(64), nullable=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("serves_path", String(400), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("windows", JSON, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    # Where it came from ('api' or '<event type>:<registration>:<commitment>'): events map to one row.
    Column("origin", String(200), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

area_places = Table(
    "area_places", metadata,
    Column("code", String(32), primary_key=True),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Built only from demand-intake's events (no shared tables).
demand_copy = Table(
    "demand_copy", metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("state", String(24), nullable=False),
    Column("priority_household", String(24), nullable=True),
    Column("urgency", String(16), nullable=True),
    Column("merged_into", String(64), nullable=True),
    Column("submitted_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

projects = Table(
    "projects", metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("category", String(64), nullable=False, index=True),
    Column("state", String(24), nullable=False, index=True),
    Column("origin_meeting_id", String(64), nullable=True),
    # One project per meeting decision, however often the event is delivered.
    Column("origin_key", String(120), nullable=True, unique=True),
    Column("body", JSON, nullable=False),
    Column("budget_fen", BigInteger, nullable=False),
    Column("spent_fen", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

matching_rounds = Table(
    "matching_rounds", metadata,
    Column("id", String(36), primary_key=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("period_start", UtcDateTime, nullable=False),
    Column("period_end", UtcDateTime, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("stats", JSON, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

matches = Table(
    "matches", metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", String(36), nullable=False, index=True),
    Column("demand_id", String(64), nullable=False, index=True),
    Column("resource_id", String(36), nullable=False, index=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("distance_m", Integer, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("explanation", JSON, nullable=False),
    Column("period_start", UtcDateTime, nullable=False),
    Column("period_end", UtcDateTime, nullable=False),
    Column("decision_note", String(500), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("round_id", "demand_id", name="uq_match_round_demand"),
)

"""The guarantee network's tables (SQLAlchemy Core; portable between SQLite and PostgreSQL).

Written by the API: fund accounts and entries, venues and bookings, assessment weights and
published scorecards. Built only from other services' events (read models, rebuilt by
`yizhou rebuild project-matching`): organizations, units, members, registrations, confirmed
services, evaluations and demand facts.
"""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, Float, Index, Integer, MetaData, String, Table,
                        UniqueConstraint)

from yizhou.columns import UtcDateTime

metadata = MetaData()

# --- funds ------------------------------------------------------------------------------------

# One row per organization and year; spending updates it with a conditional UPDATE (income - spent
# >= amount), so two concurrent spendings can never take the balance below zero.
fund_accounts = Table(
    "fund_accounts", metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("income_fen", BigInteger, nullable=False),
    Column("spent_fen", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

fund_entries = Table(
    "fund_entries", metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("direction", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("source", String(32), nullable=True),
    Column("purpose", String(16), nullable=True),
    Column("project_id", String(64), nullable=True, index=True),
    Column("activity", String(200), nullable=True),
    Column("note", String(500), nullable=False),
    Column("booked_on", Date, nullable=False),
    Column("balance_after_fen", BigInteger, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_fund_entries_org_year", "organization_id", "year"),
)

# --- venues -----------------------------------------------------------------------------------

venues = Table(
    "venues", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("owner_organization_id", String(64), nullable=False, index=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("capacity", Integer, nullable=False),
    Column("opening_hours", JSON, nullable=False),
    Column("facilities", JSON, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("resource_id", String(36), nullable=False),
    # Bumped by every booking before it looks for overlaps: the row lock (PostgreSQL) or write lock
    # (SQLite) that serializes bookings of one venue.
    Column("booking_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

venue_bookings = Table(
    "venue_bookings", metadata,
    Column("id", String(36), primary_key=True),
    Column("venue_id", String(36), nullable=False),
    Column("booker_kind", String(16), nullable=False),
    Column("booker_id", String(64), nullable=False),
    Column("attendees", Integer, nullable=False),
    Column("purpose", String(500), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("booked_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Index("ix_venue_bookings_venue_start", "venue_id", "starts_at"),
)

# --- assessment -------------------------------------------------------------------------------

assessment_weights = Table(
    "assessment_weights", metadata,
    Column("district_code", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("subject_kind", String(16), primary_key=True),
    Column("weights", JSON, nullable=False),  # code -> decimal string
    Column("set_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

scorecards = Table(
    "scorecards", metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("grade", String(16), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    UniqueConstraint("subject_kind", "subject_id", "year", "version", name="uq_scorecard_version"),
)

# --- read models from other services' events -------------------------------------------------

organization_copy = Table(
    "organization_copy", metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("parent_organization_id", String(64), nullable=True),
    Column("dissolved", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

unit_copy = Table(
    "guarantee_unit_copy", metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("area_path", String(400), nullable=False, index=True),
    Column("organization_id", String(64), nullable=True, index=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

member_copy = Table(
    "guarantee_member_copy", metadata,
    Column("member_id", String(64), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("residence_path", String(400), nullable=False, index=True),
    Column("in_service", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The current registration of each unit or member (a transfer replaces the member's row).
registration_facts = Table(
    "guarantee_registrations", metadata,
    Column("registrant_kind", String(8), primary_key=True),
    Column("registrant_id", String(64), primary_key=True),
    Column("registration_id", String(64), nullable=False),
    Column("organization_id", String(64), nullable=True, index=True),
    Column("community_path", String(400), nullable=False, index=True),
    Column("hours_per_year", Float, nullable=True),
    Column("registered_at", UtcDateTime, nullable=False),
)

service_facts = Table(
    "guarantee_services", metadata,
    Column("service_id", String(64), primary_key=True),
    Column("provider_kind", String(8), nullable=False),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("minutes", Integer, nullable=False),
)

evaluation_facts = Table(
    "guarantee_evaluations", metadata,
    Column("evaluation_id", String(64), primary_key=True),
    Column("subject_kind", String(8), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("organization_id", String(64), nullable=True, index=True),
    Column("community_path", String(400), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("score", Float, nullable=False),
)

# demand-intake's rates, re-derived from its events with its definitions (docs/services/demand-intake.md).
demand_facts = Table(
    "guarantee_demand_facts", metadata,
    Column("demand_id", String(64), primary_key=True),
    Column("area_path", String(400), nullable=False),
    Column("state", String(16), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("responded", Boolean, nullable=False),
    Column("respond_overdue", Boolean, nullable=False),
    Column("feedback", String(24), nullable=True),
    Index("ix_guarantee_demand_facts_path_submitted", "area_path", "submitted_at"),
)

WRITTEN_BY_API = [fund_accounts, fund_entries, venues, venue_bookings, assessment_weights, scorecards]
READ_MODELS = [organization_copy, unit_copy, member_copy, registration_facts, service_facts, evaluation_facts,
               demand_facts]

"""dual-registration's tables (SQLAlchemy Core, portable to SQLite and PostgreSQL).

Read copies (`*_copy`) are built only from other services' events; the rest is this service's own.
Partial unique indexes hold the "one at a time" rules even under concurrent requests.
"""

from __future__ import annotations

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, text)

from yizhou.columns import UtcDateTime

metadata = MetaData()

ID = 64
CODE = 32
PATH = 400


def _partial_unique(name: str, table_columns: list[str], where: str) -> Index:
    return Index(name, *table_columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))


# --- read copies of org-registry's units and members, project-matching's projects, demand-intake's demands

unit_copy = Table(
    "unit_copy", metadata,
    Column("unit_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),  # unit names are public, not personal data
    Column("kind", String(64), nullable=False),
    Column("area_code", String(CODE), nullable=False),
    Column("area_path", String(PATH), nullable=False),
    Column("community_code", String(CODE), nullable=True, index=True),
    Column("community_path", String(PATH), nullable=True, index=True),
    Column("organization_id", String(ID), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

member_copy = Table(
    "member_copy", metadata,
    Column("member_id", String(ID), primary_key=True),
    Column("organization_id", String(ID), nullable=True),
    Column("work_unit_id", String(ID), nullable=True),
    Column("residence_area_code", String(CODE), nullable=False),
    Column("residence_area_path", String(PATH), nullable=False),
    Column("community_code", String(CODE), nullable=True, index=True),
    Column("community_path", String(PATH), nullable=True, index=True),
    Column("skills", JSON, nullable=False),
    Column("in_service", Boolean, nullable=False),
    Column("left", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Names of org-registry's party organizations, for exports (organization names are public).
organization_copy = Table(
    "organization_copy", metadata,
    Column("organization_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("area_code", String(CODE), nullable=False),
    Column("dissolved", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

project_copy = Table(
    "project_copy", metadata,
    Column("project_id", String(ID), primary_key=True),
    Column("area_code", String(CODE), nullable=False),
    Column("area_path", String(PATH), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("step", String(64), nullable=False),
    Column("last_event", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

demand_copy = Table(
    "demand_copy", metadata,
    Column("demand_id", String(ID), primary_key=True),
    Column("area_code", String(CODE), nullable=False),
    Column("area_path", String(PATH), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# --- registrations and pairing agreements

registrations = Table(
    "registrations", metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("registrant_id", String(ID), nullable=False, index=True),
    Column("organization_id", String(ID), nullable=True),
    Column("community_code", String(CODE), nullable=False, index=True),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("skills", JSON, nullable=True),
    Column("available_hours_per_month", Float, nullable=True),
    Column("agreement_title", String(200), nullable=True),
    Column("hours_per_year", Float, nullable=True),
    Column("previous_registration_id", String(ID), nullable=True),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decision_note", String(500), nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    _partial_unique("uq_registrations_one_approved", ["kind", "registrant_id"], "state = 'approved'"),
    _partial_unique("uq_registrations_one_pending", ["kind", "registrant_id"], "state = 'pending'"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", String(ID), primary_key=True),
    Column("registration_id", String(ID), ForeignKey("registrations.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("description", String(500), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("unit_of_measure", String(64), nullable=False),
)

# --- posts the community offers, and claims

posts = Table(
    "posts", metadata,
    Column("id", String(ID), primary_key=True),
    Column("community_code", String(CODE), nullable=False, index=True),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("area_code", String(CODE), nullable=False),
    Column("area_path", String(PATH), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", String(1000), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("household_count", Integer, nullable=True),
    Column("open", Boolean, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

claims = Table(
    "claims", metadata,
    Column("id", String(ID), primary_key=True),
    Column("claimant_kind", String(8), nullable=False),
    Column("claimant_id", String(ID), nullable=False, index=True),
    # None: a member without office claimed a no-office post by their residence, with no registration.
    Column("registration_id", String(ID), ForeignKey("registrations.id"), nullable=True),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(ID), nullable=False),
    Column("community_code", String(CODE), nullable=False),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("note", String(500), nullable=True),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("updated_by", String(200), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_claims_target", "target_kind", "target_id", "state"),
    _partial_unique("uq_claims_one_holding", ["claimant_kind", "claimant_id", "target_kind", "target_id"],
                    "state IN ('requested', 'approved')"),
)

# --- service log, check-in codes and the hours ledger

service_sessions = Table(
    "service_sessions", metadata,
    Column("id", String(ID), primary_key=True),
    Column("provider_kind", String(8), nullable=False),
    Column("provider_id", String(ID), nullable=False),
    Column("registration_id", String(ID), ForeignKey("registrations.id"), nullable=False),
    Column("community_code", String(CODE), nullable=False),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("area_code", String(CODE), nullable=False),
    Column("category", String(64), nullable=True),
    Column("activity", String(500), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("claim_id", String(ID), ForeignKey("claims.id"), nullable=True),
    Column("checkin_code", String(16), nullable=True),
    # An opaque reference to the resident served (their account subject), never a name or phone.
    Column("served_resident_ref", String(200), nullable=True),
    Column("logged_by", String(200), nullable=False),
    Column("logged_at", UtcDateTime, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_as", String(16), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decision_note", String(500), nullable=True),
    # Outliers of a resident's confirmation for the community to review (domain.service_log.review_flags).
    Column("review_flags", JSON, nullable=True),
    CheckConstraint("minutes > 0", name="ck_service_sessions_positive_minutes"),
    Index("ix_service_sessions_provider", "provider_kind", "provider_id", "started_at"),
)

checkin_codes = Table(
    "checkin_codes", metadata,
    Column("code", String(16), primary_key=True),
    Column("batch_id", String(ID), nullable=False, index=True),
    Column("community_code", String(CODE), nullable=False),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("area_code", String(CODE), nullable=False),
    Column("activity", String(500), nullable=False),
    Column("category", String(64), nullable=True),
    Column("post_id", String(ID), ForeignKey("posts.id"), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_by", String(ID), nullable=True),
    Column("service_id", String(ID), nullable=True),
)

ledger_transfers = Table(
    "ledger_transfers", metadata,
    Column("id", String(ID), primary_key=True),
    # One posting per service: a confirmation retried or raced cannot count hours twice.
    Column("service_id", String(ID), ForeignKey("service_sessions.id"), nullable=False, unique=True),
    Column("minutes", Integer, nullable=False),
    Column("service_started_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    CheckConstraint("minutes > 0", name="ck_ledger_transfers_positive"),
)

ledger_movements = Table(
    "ledger_movements", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transfer_id", String(ID), ForeignKey("ledger_transfers.id"), nullable=False, index=True),
    Column("account", String(120), nullable=False),
    Column("side", String(6), nullable=False),
    Column("minutes", Integer, nullable=False),
    # The movement's effect on its own account's balance (+minutes on the account's normal side,
    # -minutes otherwise), kept so balances are plain sums on every database.
    Column("effect", Integer, nullable=False),
    Column("service_started_at", UtcDateTime, nullable=False),  # the period a movement counts in
    CheckConstraint("minutes > 0", name="ck_ledger_movements_positive"),
    CheckConstraint("effect = minutes OR effect = -minutes", name="ck_ledger_movements_effect"),
    CheckConstraint("side IN ('debit', 'credit')", name="ck_ledger_movements_side"),
    Index("ix_ledger_movements_account", "account", "service_started_at"),
)

# --- evaluations

evaluations = Table(
    "evaluations", metadata,
    Column("id", String(ID), primary_key=True),
    Column("subject_kind", String(8), nullable=False),
    Column("subject_id", String(ID), nullable=False),
    Column("organization_id", String(ID), nullable=True),
    Column("community_code", String(CODE), nullable=False),
    Column("community_path", String(PATH), nullable=False, index=True),
    Column("period", String(8), nullable=False),
    Column("evaluator_kind", String(16), nullable=False),
    Column("evaluator_subject", String(200), nullable=False),
    Column("score", Float, nullable=False),
    Column("rating", String(16), nullable=False),
    Column("comment", String(1000), nullable=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    CheckConstraint("score >= 0 AND score <= 100", name="ck_evaluations_score"),
    Index("ix_evaluations_subject", "subject_kind", "subject_id", "period"),
    _partial_unique("uq_evaluations_one_per_evaluator",
                    ["subject_kind", "subject_id", "period", "community_code", "evaluator_kind", "evaluator_subject"],
                    "state <> 'discarded'"),
)

# --- the pledge cycle (承诺—践诺—评诺); created by migration 0008, so kept out of OWN_TABLES (0002)

pledges = Table(
    "pledges", metadata,
    Column("id", String(ID), primary_key=True),
    Column("pledger_kind", String(16), nullable=False),
    Column("pledger_id", String(ID), nullable=False),
    # The member's own organization, or the pledging organization itself: what the public list names.
    Column("organization_id", String(ID), nullable=True),
    Column("community_code", String(CODE), nullable=False),
    Column("community_path", String(PATH), nullable=False),
    Column("year", Integer, nullable=False),
    Column("items", JSON, nullable=False),
    Column("progress", JSON, nullable=False),  # [{"note", "done", "at", "by"}], oldest first
    Column("state", String(16), nullable=False),
    Column("rating", String(16), nullable=True),
    Column("assessment_comment", String(1000), nullable=True),
    Column("pledged_by", String(200), nullable=False),
    Column("pledged_at", UtcDateTime, nullable=False),
    Column("fulfilled_at", UtcDateTime, nullable=True),
    Column("assessed_by", String(200), nullable=True),
    Column("assessed_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_pledges_community", "community_path", "year"),
    Index("uq_pledges_one_per_year", "pledger_kind", "pledger_id", "year", "community_code", unique=True),
)

OWN_TABLES = [registrations, commitments, posts, claims, service_sessions, checkin_codes, ledger_transfers,
              ledger_movements, evaluations]
# The copies migration 0002 creates from these models (organization_copy came later: 0006).
READ_COPIES = [unit_copy, member_copy, project_copy, demand_copy]

"""The public notice's read model: tables built only from partner events (`yizhou rebuild org-registry`
clears and replays them). On the registry's metadata, so its one Alembic env sees them (migration 0012)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table

from org_registry.store.tables import metadata
from yizhou.columns import UtcDateTime

ID = 64
PATH = 400

# The axis as partners see it: names and levels for the page's headings and sub-area figures.
notice_areas = Table(
    "public_notice_areas", metadata,
    Column("code", String(32), primary_key=True),
    Column("area_name", String(200)),
    Column("level", String(16)),
    Column("path", String(PATH), nullable=False, index=True),
    Column("retired", Boolean, nullable=False, default=False),
)

# One row per demand: what the three rates need of it, folded from partner demand events.
notice_demands = Table(
    "public_notice_demands", metadata,
    Column("demand_id", String(ID), primary_key=True),
    Column("area_path", String(PATH), nullable=False),
    Column("category", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("submitted_at", UtcDateTime),          # null when its submission was never seen: not counted
    Column("responded", Boolean, nullable=False, default=False),
    Column("respond_overdue", Boolean, nullable=False, default=False),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("feedback", String(32)),
    Column("feedback_by", String(16)),
    Column("imported", Boolean, nullable=False, default=False),
    Column("said_resolved", Boolean),          # the resident's own latest answers (callbacks, their account)
    Column("said_satisfaction", String(32)),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_public_notice_demands_path_submitted", "area_path", "submitted_at"),
)

notice_projects = Table(
    "public_notice_projects", metadata,
    Column("project_id", String(ID), primary_key=True),
    Column("area_code", String(32), nullable=False),
    Column("area_path", String(PATH), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("step", String(16), nullable=False),
    Column("state", String(16)),
    Column("budget_yuan", Float),
    Column("spent_yuan", Float),
    Column("progress_percent", Float),
    Column("average_score", Float),
    Column("linked_demands", Integer, nullable=False, default=0),
    Column("approved_at", UtcDateTime),
    Column("rejected", Boolean, nullable=False, default=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

notice_evaluations = Table(
    "public_notice_evaluations", metadata,
    Column("evaluation_id", String(ID), primary_key=True),
    Column("subject_kind", String(16), nullable=False),
    Column("community_code", String(32), nullable=False),
    Column("community_path", String(PATH), index=True),
    Column("period", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("rating", String(16), nullable=False),
)

NOTICE_TABLES = [notice_areas, notice_demands, notice_projects, notice_evaluations]

"""The registry's tables, the one place they are defined: the axis's `areas` (an ORM model, `AreaRow`),
units, party organizations and the units they cover, members, evaluations received from
dual-registration, coordination bodies and consultation platforms, hub organizations and their joint
actions. All on one metadata, so one Alembic env sees them all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, Column, Date, Float, ForeignKey, Index, Integer, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from yizhou.columns import UtcDateTime


class Base(DeclarativeBase):
    pass


metadata = Base.metadata


class AreaRow(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


ID = 64  # ids are ours (u-..., o-..., m-...) or given by an import; at most 64 characters

units = Table(
    "units", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("size_class", String(16), nullable=True),
    Column("area_code", ForeignKey("areas.code"), nullable=False),
    Column("headcount", Integer, nullable=False),
    Column("members_among_staff", Integer, nullable=False),
    Column("credit_code", String(18), nullable=True, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_units_area_kind", "area_code", "kind"),
    Index("ix_units_name_id", "name", "id"),
)

organizations = Table(
    "organizations", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("setup_mode", String(40), nullable=False, index=True),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("parent_id", ForeignKey("organizations.id"), nullable=True, index=True),
    Column("tree_path", String(1000), nullable=False, index=True),
    Column("founded_on", Date, nullable=False),
    Column("dissolved_on", Date, nullable=True),
    Column("secretary_member_id", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_organizations_name_id", "name", "id"),
)

organization_units = Table(
    "organization_units", metadata,
    Column("organization_id", ForeignKey("organizations.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    Index("ix_organization_units_unit", "unit_id"),
)

members = Table(
    "members", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("id_number", String(18), nullable=False, unique=True),
    Column("organization_id", ForeignKey("organizations.id"), nullable=False, index=True),
    Column("work_unit_id", ForeignKey("units.id"), nullable=True, index=True),
    Column("residence_area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("skills", JSON, nullable=False),
    Column("skills_index", String(1100), nullable=False),  # "|first aid|law|": portable LIKE filter
    Column("in_service", Boolean, nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

organization_evaluations = Table(
    "organization_evaluations", metadata,
    Column("evaluation_id", String(ID), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id"), nullable=False),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(ID), nullable=False),
    Column("community_code", String(32), nullable=False),
    Column("period", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("rating", String(16), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_organization_evaluations_org", "organization_id", "period", "evaluation_id"),
)

coordination_bodies = Table(
    "coordination_bodies", metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("chair_unit_id", ForeignKey("units.id"), nullable=True),
    Column("chair_since", Date, nullable=True),
    Column("term_months", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

body_member_units = Table(
    "coordination_body_units", metadata,
    Column("body_id", ForeignKey("coordination_bodies.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    Column("position", Integer, nullable=False),  # the order in which the chair rotates
)

consultation_platforms = Table(
    "consultation_platforms", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("topics", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

platform_representatives = Table(
    "consultation_representatives", metadata,
    Column("id", String(ID), primary_key=True),
    Column("platform_id", ForeignKey("consultation_platforms.id"), nullable=False, index=True),
    Column("sector", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("unit_id", ForeignKey("units.id"), nullable=True),
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# Hub organizations and their joint actions (一统五联).
hubs = Table(
    "hubs", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("leading_organization_id", ForeignKey("organizations.id"), nullable=False, index=True),
    Column("member_count", Integer, nullable=False),
    Column("party_member_count", Integer, nullable=False),
    Column("founded_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_hubs_name_id", "name", "id"),
)

joint_actions = Table(
    "hub_joint_actions", metadata,
    Column("id", String(ID), primary_key=True),
    Column("hub_id", ForeignKey("hubs.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("partner_kind", String(16), nullable=False),
    # one of the two, by partner_kind: real foreign keys keep a link from pointing at nothing
    Column("organization_id", ForeignKey("organizations.id"), nullable=True, index=True),
    Column("unit_id", ForeignKey("units.id"), nullable=True, index=True),
    Column("partner_id", String(ID), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("note", String(500), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # the database, too, refuses a second link of one kind between the same pair (a concurrent insert)
    UniqueConstraint("hub_id", "kind", "partner_kind", "partner_id", name="uq_hub_joint_actions_pair"),
    Index("ix_hub_joint_actions_hub", "hub_id", "started_on", "id"),
)

# Party-building instructors (党建工作指导员), the units each one guides, and their visits.
instructors = Table(
    "instructors", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("home_unit_id", ForeignKey("units.id"), nullable=True),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),
    Column("appointed_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

instructor_units = Table(
    "instructor_units", metadata,
    Column("instructor_id", ForeignKey("instructors.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    Column("assigned_on", Date, nullable=False),
    Index("ix_instructor_units_unit", "unit_id"),
)

instructor_visits = Table(
    "instructor_visits", metadata,
    Column("id", String(ID), primary_key=True),
    Column("instructor_id", ForeignKey("instructors.id"), nullable=False),
    Column("unit_id", ForeignKey("units.id"), nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("summary", String(2000), nullable=False),
    Column("members_found", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_instructor_visits_instructor", "instructor_id", "visited_on"),
)

# Part-time members of the regional committees (兼职委员): a person from a unit in the area, for a term.
part_time_members = Table(
    "coordination_part_time_members", metadata,
    Column("id", String(ID), primary_key=True),
    Column("body_id", ForeignKey("coordination_bodies.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("home_unit_id", ForeignKey("units.id"), nullable=False),
    Column("seat", String(24), nullable=False),
    Column("line_of_work", String(16), nullable=False),
    Column("term_from", Date, nullable=False),
    Column("term_to", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Pairings (结对): organization with organization, branch with household in hardship; a row per year.
pairings = Table(
    "pairings", metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("organization_id", ForeignKey("organizations.id"), nullable=False, index=True),
    Column("partner_organization_id", ForeignKey("organizations.id"), nullable=True, index=True),
    Column("area_code", ForeignKey("areas.code"), nullable=False, index=True),  # the partner's or the household's
    Column("head_name", String(100), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("address", String(300), nullable=True),
    Column("hardship", String(24), nullable=True),
    Column("agreement", String(2000), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

pairing_years = Table(
    "pairing_years", metadata,
    Column("pairing_id", ForeignKey("pairings.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("joint_projects", JSON, nullable=False),
    Column("review", String(2000), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("reviewed_on", Date, nullable=False),
)

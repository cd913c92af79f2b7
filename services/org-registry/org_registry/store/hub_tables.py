"""Tables of hub organizations and their joint actions (on the registry's metadata, so the one
Alembic env sees them)."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from org_registry.store.models import Base
from org_registry.store.tables import ID
from yizhou.columns import UtcDateTime

hubs = Table(
    "hubs", Base.metadata,
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
    "hub_joint_actions", Base.metadata,
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

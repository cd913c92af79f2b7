"""demands, their history, deadlines, whistle dispatches, me-too, meetings, the rates read model
(demand_facts), and Idempotency-Key storage. The DDL is frozen here (rendered from the models of this
revision); later changes to these tables go in new revisions.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from yizhou.columns import UtcDateTime
from yizhou.migration_ops import create_idempotency_keys, drop_idempotency_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demand_facts',
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('area_code', sa.String(length=32), nullable=False),
    sa.Column('area_path', sa.String(length=400), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('urgency', sa.String(length=16), nullable=True),
    sa.Column('assignee', sa.String(length=200), nullable=True),
    sa.Column('accountable_area_code', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', UtcDateTime(), nullable=False),
    sa.Column('responded_at', UtcDateTime(), nullable=True),
    sa.Column('respond_overdue', sa.Boolean(), nullable=False),
    sa.Column('resolve_overdue', sa.Boolean(), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.Column('feedback', sa.String(length=24), nullable=True),
    sa.Column('me_too_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('demand_id')
    )
    op.create_index('ix_facts_path_submitted', 'demand_facts', ['area_path', 'submitted_at'], unique=False)
    op.create_table('demands',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('complex', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area_code', sa.String(length=32), nullable=False),
    sa.Column('area_path', sa.String(length=400), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('resident_name', sa.String(length=100), nullable=True),
    sa.Column('resident_phone', sa.String(length=32), nullable=True),
    sa.Column('resident_subject', sa.String(length=200), nullable=True),
    sa.Column('priority_household', sa.String(length=16), nullable=True),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_by_role', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('handling_area_code', sa.String(length=32), nullable=False),
    sa.Column('handling_level', sa.String(length=16), nullable=False),
    sa.Column('accountable_area_code', sa.String(length=32), nullable=True),
    sa.Column('first_receiver', sa.String(length=200), nullable=True),
    sa.Column('assignee', sa.String(length=200), nullable=True),
    sa.Column('me_too_count', sa.Integer(), nullable=False),
    sa.Column('merged_into', sa.String(length=36), nullable=True),
    sa.Column('feedback', sa.String(length=24), nullable=True),
    sa.Column('contact_attempted_at', UtcDateTime(), nullable=True),
    sa.Column('submitted_at', UtcDateTime(), nullable=False),
    sa.Column('responded_at', UtcDateTime(), nullable=True),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_demands_area_code'), 'demands', ['area_code'], unique=False)
    op.create_index(op.f('ix_demands_area_path'), 'demands', ['area_path'], unique=False)
    op.create_index(op.f('ix_demands_category'), 'demands', ['category'], unique=False)
    op.create_index(op.f('ix_demands_resident_subject'), 'demands', ['resident_subject'], unique=False)
    op.create_index(op.f('ix_demands_state'), 'demands', ['state'], unique=False)
    op.create_index(op.f('ix_demands_submitted_at'), 'demands', ['submitted_at'], unique=False)
    create_idempotency_keys()
    op.create_table('meetings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('area_code', sa.String(length=32), nullable=False),
    sa.Column('area_path', sa.String(length=400), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scheduled_at', UtcDateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_meetings_area_path'), 'meetings', ['area_path'], unique=False)
    op.create_index(op.f('ix_meetings_scheduled_at'), 'meetings', ['scheduled_at'], unique=False)
    op.create_table('demand_deadlines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('dispatch_id', sa.String(length=36), nullable=False),
    sa.Column('budget_s', sa.Integer(), nullable=False),
    sa.Column('consumed_s', sa.Integer(), nullable=False),
    sa.Column('running_since', UtcDateTime(), nullable=True),
    sa.Column('due_at', UtcDateTime(), nullable=True),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('breached_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('demand_id', 'kind', 'dispatch_id')
    )
    op.create_index('ix_deadlines_due', 'demand_deadlines', ['breached_at', 'due_at'], unique=False)
    op.create_index(op.f('ix_demand_deadlines_demand_id'), 'demand_deadlines', ['demand_id'], unique=False)
    op.create_table('demand_dispatches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('receiver', sa.String(length=200), nullable=False),
    sa.Column('receiver_kind', sa.String(length=16), nullable=False),
    sa.Column('dispatched_by', sa.String(length=200), nullable=False),
    sa.Column('dispatched_at', UtcDateTime(), nullable=False),
    sa.Column('report_in_due_at', UtcDateTime(), nullable=False),
    sa.Column('reported_in_at', UtcDateTime(), nullable=True),
    sa.Column('report_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_demand_dispatches_demand_id'), 'demand_dispatches', ['demand_id'], unique=False)
    op.create_table('demand_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_demand_history_demand_id'), 'demand_history', ['demand_id'], unique=False)
    op.create_table('demand_me_too',
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], ),
    sa.PrimaryKeyConstraint('demand_id', 'subject')
    )
    op.create_table('meeting_agenda',
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('demand_id', sa.String(length=36), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('added_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('meeting_id', 'demand_id')
    )


def downgrade() -> None:
    op.drop_table('meeting_agenda')
    op.drop_table('demand_me_too')
    op.drop_index(op.f('ix_demand_history_demand_id'), table_name='demand_history')
    op.drop_table('demand_history')
    op.drop_index(op.f('ix_demand_dispatches_demand_id'), table_name='demand_dispatches')
    op.drop_table('demand_dispatches')
    op.drop_index(op.f('ix_demand_deadlines_demand_id'), table_name='demand_deadlines')
    op.drop_index('ix_deadlines_due', table_name='demand_deadlines')
    op.drop_table('demand_deadlines')
    op.drop_index(op.f('ix_meetings_scheduled_at'), table_name='meetings')
    op.drop_index(op.f('ix_meetings_area_path'), table_name='meetings')
    op.drop_table('meetings')
    drop_idempotency_keys()
    op.drop_index(op.f('ix_demands_submitted_at'), table_name='demands')
    op.drop_index(op.f('ix_demands_state'), table_name='demands')
    op.drop_index(op.f('ix_demands_resident_subject'), table_name='demands')
    op.drop_index(op.f('ix_demands_category'), table_name='demands')
    op.drop_index(op.f('ix_demands_area_path'), table_name='demands')
    op.drop_index(op.f('ix_demands_area_code'), table_name='demands')
    op.drop_table('demands')
    op.drop_index('ix_facts_path_submitted', table_name='demand_facts')
    op.drop_table('demand_facts')

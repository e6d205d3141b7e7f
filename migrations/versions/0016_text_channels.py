"""text channels: SMS and Zalo beside email in the outbox, their daily budgets, registrants' choice

Revision ID: 0016_text_channels
Revises: 0015_procedures
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_text_channels'
down_revision = '0015_procedures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False, server_default='email'))
        batch_op.add_column(sa.Column('to_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('budget_keys', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('unknown_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('channel', server_default=None)
        batch_op.alter_column('budget_keys', server_default=None)
    op.create_table(
        'text_budget',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'key', name=op.f('pk_text_budget')),
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_sms', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('notify_zalo', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('notify_sms', server_default=None)
        batch_op.alter_column('notify_zalo', server_default=None)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('notify_zalo')
        batch_op.drop_column('notify_sms')
    op.drop_table('text_budget')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('unknown_at')
        batch_op.drop_column('budget_keys')
        batch_op.drop_column('to_phone')
        batch_op.drop_column('channel')

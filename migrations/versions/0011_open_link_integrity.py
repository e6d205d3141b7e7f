"""open-link integrity: used form token nonces, the draft's nonce, a per-address hash, agency networks

Revision ID: 0011_open_link_integrity
Revises: 0010_staff_access
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0011_open_link_integrity'
down_revision = '0010_staff_access'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_form_token',
    sa.Column('nonce', sa.String(length=43), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_used_form_token'))
    )
    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_token_used_at'), ['used_at'], unique=False)

    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=43), nullable=True))
        batch_op.create_index(batch_op.f('ix_survey_draft_nonce'), ['nonce'], unique=False)
    # A draft begun before this release is its own form: its id stands in for the nonce.
    op.execute("UPDATE survey_draft SET nonce = id")

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_response_address', ['address_hash', 'agency_id', 'submitted_at'], unique=False)
        batch_op.create_index('ix_response_excluded', ['agency_id', 'submitted_at'], unique=False, sqlite_where=sa.text('excluded'), postgresql_where=sa.text('excluded'))

    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('networks', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.alter_column('networks', server_default=None)


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('networks')

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_excluded')
        batch_op.drop_index('ix_response_address')
        batch_op.drop_column('address_hash')

    with op.batch_alter_table('survey_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_draft_nonce'))
        batch_op.drop_column('nonce')

    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_form_token_used_at'))
    op.drop_table('used_form_token')

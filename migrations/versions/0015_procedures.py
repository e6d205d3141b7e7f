"""procedures: the administrative procedures (thủ tục hành chính) kept per agency

Deployments offered a services list typed into each one; the list now lives once per agency,
keyed by the national procedure code where there is one, and deployments copy it.

Revision ID: 0015_procedures
Revises: 0014_counters
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_procedures'
down_revision = '0014_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'procedure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name_vi', sa.String(length=300), nullable=False),
        sa.Column('name_en', sa.String(length=300), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_procedure_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure')),
        sa.UniqueConstraint('agency_id', 'code', name='uq_procedure_agency_code'),
    )
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_agency_id'))
    op.drop_table('procedure')

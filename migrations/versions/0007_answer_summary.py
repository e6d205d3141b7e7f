"""answer summary: how many counted responses gave each value to each question, per agency, survey version, channel, service and local day or month

Revision ID: 0007_answer_summary
Revises: 0006_answer_search
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_answer_summary'
down_revision = '0006_answer_search'
branch_labels = None
depends_on = None

READ_INCLUDE = ['agency_id', 'version_id', 'channel', 'service', 'question_key', 'value', 'count']


def upgrade():
    op.create_table('answer_summary',
    sa.Column('period', sa.Enum('day', 'month', name='summary_period', native_enum=False, length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('open', 'code', name='summary_channel', native_enum=False, length=16), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('question_key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_answer_summary_agency_id_agency')),
    sa.ForeignKeyConstraint(['version_id'], ['survey_version.id'], name=op.f('fk_answer_summary_version_id_survey_version')),
    sa.PrimaryKeyConstraint('period', 'day', 'agency_id', 'version_id', 'channel', 'service', 'question_key', 'value', name=op.f('pk_answer_summary'))
    )
    with op.batch_alter_table('answer_summary', schema=None) as batch_op:
        batch_op.create_index('ix_answer_summary_agency', ['agency_id', 'period', 'day'], unique=False)
        batch_op.create_index('ix_answer_summary_read', ['period', 'day'], unique=False, postgresql_include=READ_INCLUDE)
    # Existing responses are counted in by `flask dashboards rebuild-summary` (docs/dashboards.md).


def downgrade():
    with op.batch_alter_table('answer_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_summary_read', postgresql_include=READ_INCLUDE)
        batch_op.drop_index('ix_answer_summary_agency')
    op.drop_table('answer_summary')

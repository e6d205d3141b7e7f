"""comment summary: how many comments counted responses gave to each free-text question, per cell; responses by time

Revision ID: 0008_comment_summary
Revises: 0007_answer_summary
Create Date: 2026-12-04 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_comment_summary'
down_revision = '0007_answer_summary'
branch_labels = None
depends_on = None

READ_INCLUDE = ['agency_id', 'version_id', 'channel', 'service', 'question_key', 'count']


def upgrade():
    op.create_table('comment_summary',
    sa.Column('period', sa.Enum('day', 'month', name='summary_period', native_enum=False, length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('open', 'code', name='summary_channel', native_enum=False, length=16), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('question_key', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_comment_summary_agency_id_agency')),
    sa.ForeignKeyConstraint(['version_id'], ['survey_version.id'], name=op.f('fk_comment_summary_version_id_survey_version')),
    sa.PrimaryKeyConstraint('period', 'day', 'agency_id', 'version_id', 'channel', 'service', 'question_key', name=op.f('pk_comment_summary'))
    )
    with op.batch_alter_table('comment_summary', schema=None) as batch_op:
        batch_op.create_index('ix_comment_summary_agency', ['agency_id', 'period', 'day'], unique=False)
        batch_op.create_index('ix_comment_summary_read', ['period', 'day'], unique=False, postgresql_include=READ_INCLUDE)
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index('ix_response_submitted_at', ['submitted_at'], unique=False)
    # Existing comments are counted in by `flask dashboards rebuild-summary` (docs/dashboards.md).


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_submitted_at')
    with op.batch_alter_table('comment_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_summary_read', postgresql_include=READ_INCLUDE)
        batch_op.drop_index('ix_comment_summary_agency')
    op.drop_table('comment_summary')

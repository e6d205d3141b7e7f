"""question short labels: a few words per question, in vi and en, for dashboards' charts and tables

Nullable: a question without one is shown with its full text, as before. Citizens never see them.

Revision ID: 0019_question_short_labels
Revises: 0018_code_officer
Create Date: 2026-12-07 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_question_short_labels'
down_revision = '0018_code_officer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question') as batch:
        batch.add_column(sa.Column('short_vi', sa.String(length=60), nullable=True))
        batch.add_column(sa.Column('short_en', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('question') as batch:
        batch.drop_column('short_en')
        batch.drop_column('short_vi')

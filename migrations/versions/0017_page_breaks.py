"""page breaks: a question may start a new page of the citizen form (the designer's choice)

Versions without any break keep being cut at their sections, so every published version looks
as it did; the built-in SIPAS questionnaire gets its breaks as a new published version.

Revision ID: 0017_page_breaks
Revises: 0016_text_channels
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_page_breaks'
down_revision = '0016_text_channels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question') as batch:
        batch.add_column(sa.Column('page_break', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('question') as batch:
        batch.drop_column('page_break')

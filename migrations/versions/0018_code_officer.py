"""code officer: a one-time code issued by the API may name an officer; it then opens that
officer's counter rating instead of a survey, so it has no deployment

Revision ID: 0018_code_officer
Revises: 0017_page_breaks
Create Date: 2026-12-07 13:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_code_officer'
down_revision = '0017_page_breaks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_code') as batch:
        batch.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_survey_code_officer_id_officer'), 'officer', ['officer_id'], ['id'],
                                 ondelete='SET NULL')
        batch.alter_column('deployment_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM survey_code WHERE deployment_id IS NULL")
    with op.batch_alter_table('survey_code') as batch:
        batch.alter_column('deployment_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(batch.f('fk_survey_code_officer_id_officer'), type_='foreignkey')
        batch.drop_column('officer_id')

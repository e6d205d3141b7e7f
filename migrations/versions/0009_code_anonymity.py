"""code anonymity: a used code keeps its local day only, never the response; code-verified responses keep their day

Revision ID: 0009_code_anonymity
Revises: 0008_comment_summary
Create Date: 2026-12-06 10:00:00.000000

"""
import os
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_code_anonymity'
down_revision = '0008_comment_summary'
branch_labels = None
depends_on = None

# The app's time zone (config.py's BABEL_DEFAULT_TIMEZONE), read as the app reads it.
ZONE = ZoneInfo(os.environ.get('TIMEZONE', 'Asia/Ho_Chi_Minh'))


def _aware(value):
    """A stored UTC timestamp (SQLite hands it back naive, or as text) made aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('survey_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redeemed_on', sa.Date(), nullable=True))
    code = sa.table('survey_code', sa.column('id', sa.Integer()), sa.column('redeemed_at', sa.DateTime(timezone=True)),
                    sa.column('redeemed_on', sa.Date()))
    used = bind.execute(sa.select(code.c.id, code.c.redeemed_at).where(code.c.redeemed_at.is_not(None))).all()
    if used:
        bind.execute(code.update().where(code.c.id == sa.bindparam('code_id')).values(redeemed_on=sa.bindparam('day')),
                     [{'code_id': i, 'day': _aware(at).astimezone(ZONE).date()} for i, at in used])
    # The link from a code (and its dossier) to the response that used it goes, with the exact time.
    with op.batch_alter_table('survey_code', schema=None) as batch_op:
        batch_op.drop_constraint('fk_survey_code_response_id_response', type_='foreignkey')
        batch_op.drop_column('response_id')
        batch_op.drop_column('redeemed_at')

    # Code-verified responses keep the start of their local day and no start time, as new ones do.
    response = sa.table('response', sa.column('id', sa.Integer()), sa.column('channel', sa.String()),
                        sa.column('submitted_at', sa.DateTime(timezone=True)),
                        sa.column('started_at', sa.DateTime(timezone=True)))
    rows = bind.execute(sa.select(response.c.id, response.c.submitted_at).where(response.c.channel == 'code')).all()
    if rows:
        bind.execute(
            response.update().where(response.c.id == sa.bindparam('response_id'))
            .values(submitted_at=sa.bindparam('day_start'), started_at=None),
            [{'response_id': i,
              'day_start': datetime.combine(_aware(at).astimezone(ZONE).date(), time(), ZONE).astimezone(UTC)}
             for i, at in rows])


def downgrade():
    with op.batch_alter_table('survey_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_survey_code_response_id_response', 'response', ['response_id'], ['id'],
                                    ondelete='SET NULL')
    code = sa.table('survey_code', sa.column('id', sa.Integer()), sa.column('redeemed_at', sa.DateTime(timezone=True)),
                    sa.column('redeemed_on', sa.Date()))
    used = op.get_bind().execute(sa.select(code.c.id, code.c.redeemed_on).where(code.c.redeemed_on.is_not(None))).all()
    if used:
        # The links and times given up are not recovered: the start of the day stands in for the time.
        op.get_bind().execute(
            code.update().where(code.c.id == sa.bindparam('code_id')).values(redeemed_at=sa.bindparam('at')),
            [{'code_id': i, 'at': datetime.combine(day, time(), ZONE).astimezone(UTC)} for i, day in used])
    with op.batch_alter_table('survey_code', schema=None) as batch_op:
        batch_op.drop_column('redeemed_on')

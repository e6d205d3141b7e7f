"""staff access: a per-user session token, one row per signed-in browser, no typed emails in the audit log

Revision ID: 0010_staff_access
Revises: 0009_code_anonymity
Create Date: 2026-12-10 09:00:00.000000

"""
import json
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_staff_access'
down_revision = '0009_code_anonymity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    # Every existing user gets a token of their own; sessions signed in before this change carry
    # a plain user id, which no longer signs anyone in (everyone signs in once more).
    connection = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_session_token'), ['session_token'])

    op.create_table('sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_sign_in_secret_hash'))
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_user_id'), ['user_id'], unique=False)

    # Failed sign-ins used to keep what was typed as the email (sometimes a password typed in the
    # wrong box): drop it from the rows already written.
    events = sa.table('audit_event', sa.column('id', sa.Integer()), sa.column('action', sa.String()),
                      sa.column('details', sa.JSON()))
    failed = connection.execute(sa.select(events.c.id, events.c.details)
                                .where(events.c.action == 'auth.login_failed')).all()
    for event_id, details in failed:
        if isinstance(details, str):
            details = json.loads(details)
        if isinstance(details, dict) and 'email' in details:
            details.pop('email')
            connection.execute(events.update().where(events.c.id == event_id).values(details=details))


def downgrade():
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_user_id'))
    op.drop_table('sign_in')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_session_token'), type_='unique')
        batch_op.drop_column('session_token')

"""counters: officers and their shifts, rating sets, kiosk tablets, counter ratings and their summary

Counter ratings are their own kind of response (never mixed into the survey's question rates):
one row per tap, unique by the client's UUID so offline queues replay safely. The summary keeps
per agency (officer 0) and per officer the counted ratings and the satisfied ones, by local day
and month, and the reasons ticked.

Revision ID: 0014_counters
Revises: 0013_agency_lineage
Create Date: 2026-12-07 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_counters'
down_revision = '0013_agency_lineage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rating_dossier',
    sa.Column('dossier_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('dossier_hash', name=op.f('pk_rating_dossier'))
    )
    op.create_table('counter_reason_summary',
    sa.Column('period', sa.Enum('day', 'month', name='counter_reason_period', native_enum=False, length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_counter_reason_summary_agency_id_agency')),
    sa.PrimaryKeyConstraint('period', 'day', 'agency_id', 'officer_id', 'reason', name=op.f('pk_counter_reason_summary'))
    )
    op.create_table('counter_summary',
    sa.Column('period', sa.Enum('day', 'month', name='counter_summary_period', native_enum=False, length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_counter_summary_agency_id_agency')),
    sa.PrimaryKeyConstraint('period', 'day', 'agency_id', 'officer_id', name=op.f('pk_counter_summary'))
    )
    with op.batch_alter_table('counter_summary', schema=None) as batch_op:
        batch_op.create_index('ix_counter_summary_officer', ['officer_id', 'period', 'day'], unique=False)

    op.create_table('officer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_officer_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer')),
    sa.UniqueConstraint('code', name=op.f('uq_officer_code'))
    )
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_agency_id'), ['agency_id'], unique=False)

    op.create_table('rating_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('question_vi', sa.String(length=300), nullable=False),
    sa.Column('question_en', sa.String(length=300), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('satisfied', sa.JSON(), nullable=False),
    sa.Column('low_levels', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_rating_set_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_set')),
    sa.UniqueConstraint('agency_id', 'number', name=op.f('uq_rating_set_agency_id_number'))
    )
    with op.batch_alter_table('rating_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_set_agency_id'), ['agency_id'], unique=False)

    op.create_table('kiosk_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('pairing_code_hash', sa.String(length=64), nullable=True),
    sa.Column('pairing_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('paired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_kiosk_device_agency_id_agency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_kiosk_device_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], name=op.f('fk_kiosk_device_officer_id_officer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_device')),
    sa.UniqueConstraint('pairing_code_hash', name=op.f('uq_kiosk_device_pairing_code_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kiosk_device_token_hash'))
    )
    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_device_agency_id'), ['agency_id'], unique=False)

    op.create_table('officer_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_officer_shift_agency_id_agency')),
    sa.ForeignKeyConstraint(['device_id'], ['kiosk_device.id'], name=op.f('fk_officer_shift_device_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], name=op.f('fk_officer_shift_officer_id_officer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_shift'))
    )
    with op.batch_alter_table('officer_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_shift_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_officer_shift_officer_started', ['officer_id', 'started_at'], unique=False)

    op.create_table('counter_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('rating_set_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('service_code', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.Enum('kiosk', 'plate', 'api', name='counter_channel', native_enum=False, length=16), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_counter_rating_agency_id_agency')),
    sa.ForeignKeyConstraint(['device_id'], ['kiosk_device.id'], name=op.f('fk_counter_rating_device_id_kiosk_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], name=op.f('fk_counter_rating_officer_id_officer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rating_set_id'], ['rating_set.id'], name=op.f('fk_counter_rating_rating_set_id_rating_set')),
    sa.ForeignKeyConstraint(['shift_id'], ['officer_shift.id'], name=op.f('fk_counter_rating_shift_id_officer_shift'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_rating')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_counter_rating_client_uuid'))
    )
    with op.batch_alter_table('counter_rating', schema=None) as batch_op:
        batch_op.create_index('ix_counter_rating_address', ['address_hash', 'agency_id', 'given_at'], unique=False)
        batch_op.create_index('ix_counter_rating_agency_given', ['agency_id', 'given_at'], unique=False)
        batch_op.create_index('ix_counter_rating_device_given', ['device_id', 'given_at'], unique=False)
        batch_op.create_index('ix_counter_rating_officer_given', ['officer_id', 'given_at'], unique=False)



def downgrade():
    with op.batch_alter_table('counter_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_rating_officer_given')
        batch_op.drop_index('ix_counter_rating_device_given')
        batch_op.drop_index('ix_counter_rating_agency_given')
        batch_op.drop_index('ix_counter_rating_address')

    op.drop_table('counter_rating')
    with op.batch_alter_table('officer_shift', schema=None) as batch_op:
        batch_op.drop_index('ix_officer_shift_officer_started')
        batch_op.drop_index(batch_op.f('ix_officer_shift_agency_id'))

    op.drop_table('officer_shift')
    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_device_agency_id'))

    op.drop_table('kiosk_device')
    with op.batch_alter_table('rating_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_set_agency_id'))

    op.drop_table('rating_set')
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_agency_id'))

    op.drop_table('officer')
    with op.batch_alter_table('counter_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_summary_officer')

    op.drop_table('counter_summary')
    op.drop_table('counter_reason_summary')
    op.drop_table('rating_dossier')

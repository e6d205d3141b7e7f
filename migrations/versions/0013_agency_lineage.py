"""agency lineage: kinds as data, valid_from/valid_to, successions, the heir carrying history

Kinds move from a list in the code to the agency_kind table, seeded with today's administration
(districts kept for history). Every agency gets its validity and heir_id (itself: nothing has
been reorganized yet). The default kinds are copied here rather than imported: a migration must
give the same result whatever the application's code becomes.

Revision ID: 0013_agency_lineage
Revises: 0012_nfc_text
Create Date: 2026-12-07 10:32:56.186235

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_agency_lineage'
down_revision = '0012_nfc_text'
branch_labels = None
depends_on = None

DEFAULT_KINDS = [
    ('province', 'Tỉnh, thành phố', 'Province or city', 'province'),
    ('department', 'Sở, ban, ngành', 'Department', 'department'),
    ('commune', 'Xã', 'Commune', 'local'),
    ('ward', 'Phường', 'Ward', 'local'),
    ('special_zone', 'Đặc khu', 'Special zone', 'local'),
    ('service_center', 'Trung tâm phục vụ hành chính công', 'Public administrative service centre',
     'service'),
    ('one_stop', 'Bộ phận một cửa', 'One-stop section', 'service'),
    ('counter', 'Quầy tiếp nhận', 'Service counter', 'counter'),
    ('other', 'Khác', 'Other', 'other'),
    ('district', 'Huyện (trước 2025)', 'District (before 2025)', 'local'),
]


def upgrade():
    op.create_table('agency_kind',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_vi', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('peer_group', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('historic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_agency_kind'))
    )
    op.create_table('agency_succession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('carries_history', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_id'], ['agency.id'], name=op.f('fk_agency_succession_predecessor_id_agency')),
    sa.ForeignKeyConstraint(['successor_id'], ['agency.id'], name=op.f('fk_agency_succession_successor_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_succession'))
    )
    with op.batch_alter_table('agency_succession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_succession_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_succession_successor_id'), ['successor_id'], unique=False)

    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('heir_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agency_heir_id'), ['heir_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agency_heir_id_agency'), 'agency', ['heir_id'], ['id'])
    op.execute('UPDATE agency SET heir_id = id')
    kinds = sa.table('agency_kind', sa.column('code'), sa.column('name_vi'), sa.column('name_en'),
                     sa.column('peer_group'), sa.column('position'), sa.column('historic'))
    op.bulk_insert(kinds, [
        {'code': code, 'name_vi': vi, 'name_en': en, 'peer_group': group, 'position': position,
         'historic': code == 'district'}
        for position, (code, vi, en, group) in enumerate(DEFAULT_KINDS)])


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agency_heir_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agency_heir_id'))
        batch_op.drop_column('heir_id')
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')

    with op.batch_alter_table('agency_succession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_succession_successor_id'))
        batch_op.drop_index(batch_op.f('ix_agency_succession_predecessor_id'))

    op.drop_table('agency_succession')
    op.drop_table('agency_kind')

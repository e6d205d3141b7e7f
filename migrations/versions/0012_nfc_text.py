"""nfc text: text people typed, stored NFC-normalized; registrants' names and petitions folded for search

Decomposed Vietnamese (typed on some phones: "u" + combining horn + combining hook) was stored
as typed, so a search typed the usual way missed it. Every column people type into is rewritten
in NFC, in batches by id, and the folded copies the staff searches read are filled:
registration.search_name and petition.search_text (new), answer.search_text (refolded).

The folding is copied here rather than imported: a migration must give the same result whatever
the application's code becomes.

Revision ID: 0012_nfc_text
Revises: 0011_open_link_integrity
Create Date: 2026-12-07 09:00:00.000000

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_nfc_text'
down_revision = '0011_open_link_integrity'
branch_labels = None
depends_on = None

# Rows read per round trip: small enough to keep memory flat on a million answers.
BATCH = 2000
# Columns people type into, by table (every table here has an integer id). Left out on purpose:
# e-mail addresses (compared as typed at sign-in), service names (the key of responses and of the
# dashboard summaries), choice values inside question options (stored in answers), codes.
TEXT_COLUMNS = {
    'agency': ['name_vi', 'name_en'],
    'user_account': ['name'],
    'api_key': ['name'],
    'survey_version': ['title_vi', 'title_en', 'intro_vi', 'intro_en'],
    'question': ['text_vi', 'text_en', 'help_vi', 'help_en'],
    'answer': ['text'],
    'topic': ['name_vi', 'name_en'],
    'conference': ['title_vi', 'title_en', 'description_vi', 'description_en', 'venue', 'report_summary'],
    'registration': ['full_name', 'locality'],
    'petition': ['text', 'answer_text', 'answered_by', 'rating_comment'],
    'petition_event': ['note'],
}
# Lists of small objects whose strings are all typed text (leaders' names and titles, agenda items).
JSON_COLUMNS = {'conference': ['leaders', 'agenda']}
# Folded copies: (table, source column, folded column).
FOLDED = [('answer', 'text', 'search_text'), ('registration', 'full_name', 'search_name'),
          ('petition', 'text', 'search_text')]

_SPACES = re.compile(r"\s+")
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text):
    """The application's fold_for_search as of this revision: lowercase, no marks, đ→d, one space."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_LETTERS))
    bare = "".join(" " if unicodedata.category(c) == "Cc" else c
                   for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


def nfc(value):
    """`value` with every string in it (nested in lists and dicts too) NFC-normalized."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def _table(name: str) -> sa.Table:
    """A lightweight table with the columns this migration reads and writes (JSON ones as JSON, so
    both backends hand back and take Python objects)."""
    columns = [sa.column('id', sa.Integer)]
    columns += [sa.column(c, sa.Text) for c in TEXT_COLUMNS.get(name, [])]
    columns += [sa.column(c, sa.JSON) for c in JSON_COLUMNS.get(name, [])]
    columns += [sa.column(folded, sa.Text) for table, _source, folded in FOLDED if table == name]
    return sa.table(name, *columns)


def normalize_table(bind, name: str) -> int:
    """Rewrite one table's typed columns in NFC and refill its folded column, in batches by id;
    only rows that change are written. Returns how many rows were written."""
    table = _table(name)
    folded = [(source, target) for t, source, target in FOLDED if t == name]
    columns = [c for c in table.c if c.name != 'id']
    written, after = 0, 0
    while True:
        rows = bind.execute(sa.select(table).where(table.c.id > after)
                            .order_by(table.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return written
        changes = []
        for row in rows:
            new = {c.name: nfc(row[c.name]) for c in columns}
            for source, target in folded:
                new[target] = fold(new[source])
                if name == 'petition' and new[target] is None:
                    new[target] = ''
            if any(new[c.name] != row[c.name] for c in columns):
                changes.append({'row_id': row['id'], **new})
        if changes:
            bind.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                         .values({c.name: sa.bindparam(c.name) for c in columns}), changes)
        written += len(changes)
        after = rows[-1]['id']


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=200), nullable=True))
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    for name in sorted(set(TEXT_COLUMNS) | set(JSON_COLUMNS)):
        normalize_table(bind, name)
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.alter_column('search_text', server_default=None)


def downgrade():
    # The NFC text stays: it is the same text, and the decomposed form cannot be told back.
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('search_name')

"""answer search text: free-text answers folded (lowercase, no diacritics, đ→d, single spaces) for
the comments page's search, backfilled for existing short_text and long_text answers

Revision ID: 0006_answer_search
Revises: 0005_dashboard_summary
Create Date: 2026-11-24 09:00:00.000000

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# A copy of feedback.core.text.fold_for_search as it was when this migration was written: a
# migration is frozen, so it never imports application code that may change after it.
_SPACES = re.compile(r"\s+")
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold_for_search(text):
    """`text` lowercased, without diacritics, đ as d, control characters and whitespace runs as one
    space, trimmed; None stays None."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_LETTERS))
    bare = "".join(" " if unicodedata.category(c) == "Cc" else c
                   for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


# revision identifiers, used by Alembic.
revision = '0006_answer_search'
down_revision = '0005_dashboard_summary'
branch_labels = None
depends_on = None

# Rows folded per round trip: small enough to keep memory flat on a million answers.
BATCH = 2000


def _free_text_answers(bind, after: int):
    """The next batch of (id, text) of free-text answers, by id, after `after`."""
    return bind.execute(sa.text(
        "SELECT a.id, a.text FROM answer a "
        "JOIN response r ON r.id = a.response_id "
        "JOIN question q ON q.version_id = r.version_id AND q.key = a.question_key "
        "WHERE a.id > :after AND a.text IS NOT NULL AND q.type IN ('short_text', 'long_text') "
        "ORDER BY a.id LIMIT :batch"
    ), {"after": after, "batch": BATCH}).all()


def backfill(bind) -> int:
    """Fill search_text for every free-text answer, in batches by id (the folding is Python's
    Unicode decomposition, the same function new answers use, so both backends agree).
    Returns how many answers were filled."""
    update = sa.text("UPDATE answer SET search_text = :folded WHERE id = :id")
    after, filled = 0, 0
    while rows := _free_text_answers(bind, after):
        bind.execute(update, [{"id": row.id, "folded": fold_for_search(row.text)} for row in rows])
        after, filled = rows[-1].id, filled + len(rows)
    return filled


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
    backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('search_text')

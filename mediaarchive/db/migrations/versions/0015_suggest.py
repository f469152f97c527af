"""search suggestions ("did you mean"): the archive's vocabulary with a trigram index, and
which index documents belong to public assets

``search_vocabulary`` holds every word of the indexed documents, folded as the index folds
it, how often it occurs and how often in public assets' documents; ``search_trigrams`` is
its trigram index (both databases alike).
``search_docs.public_asset`` tells what a document was counted as, so a document that is
removed after its asset's visibility changed is taken away from the right counts.

An existing archive's vocabulary is counted here from its index documents, with the rules
of ``mediaarchive.search.suggest`` as they are at this revision (a migration must not
depend on code that changes later; a rebuild of the index counts afresh).

Revision ID: 0015_suggest
Revises: 0014_purge
"""

import re
import unicodedata
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0015_suggest"
down_revision = "0014_purge"
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _folded_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.casefold())
    if not text.isascii():
        text = _COMBINING.sub("", text)
    return _WORD.findall(text.replace("ae", "a").replace("oe", "o").replace("ue", "u"))


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return
    if dialect == "postgresql":
        op.execute("ALTER TABLE search_docs ADD COLUMN public_asset BOOLEAN NOT NULL DEFAULT false")
    else:
        op.execute("ALTER TABLE search_docs ADD COLUMN public_asset INTEGER NOT NULL DEFAULT 0")
    op.create_table(
        "search_vocabulary",
        sa.Column("word", sa.Text(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("public_count", sa.Integer(), nullable=False),
    )
    op.execute(
        "CREATE TABLE search_trigrams (trigram TEXT NOT NULL, length INTEGER NOT NULL,"
        " word TEXT NOT NULL, PRIMARY KEY (trigram, length, word))"
        + (" WITHOUT ROWID" if dialect == "sqlite" else "")
    )
    op.execute(
        "UPDATE search_docs SET public_asset = "
        + ("true" if dialect == "postgresql" else "1")
        + " WHERE asset_id IN (SELECT id FROM assets WHERE visibility = 'public')"
    )
    counts: Counter[str] = Counter()
    public: Counter[str] = Counter()
    for head, body, is_public in bind.execute(
        sa.text("SELECT head, text, public_asset FROM search_docs")
    ).yield_per(10_000):
        for value in (head, body):
            words = _folded_words(value or "")
            counts.update(words)
            if is_public:
                public.update(words)
    rows = [
        {"word": word, "count": n, "public_count": public[word]}
        for word, n in counts.items()
        if 3 <= len(word) <= 40 and word.isalpha()
    ]
    if rows:
        vocabulary = sa.table(
            "search_vocabulary", sa.column("word"), sa.column("count"), sa.column("public_count")
        )
        op.bulk_insert(vocabulary, rows)
    if rows:
        words = {row["word"] for row in rows}
        trigrams = sa.table(
            "search_trigrams", sa.column("trigram"), sa.column("length"), sa.column("word")
        )
        op.bulk_insert(
            trigrams,
            [
                {"trigram": gram, "length": len(word), "word": word}
                for word in words
                for gram in _trigrams(word)
            ],
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return
    op.execute("DROP TABLE search_trigrams")
    op.drop_table("search_vocabulary")
    op.execute("ALTER TABLE search_docs DROP COLUMN public_asset")

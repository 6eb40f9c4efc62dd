"""Full-text search over posts, the indexes the mentions API sorts on, topic corrections.

- SQLite: ``posts_fts``, an FTS5 table with external content (the ``text`` and ``title`` of
  ``posts``; tokenizer ``unicode61 remove_diacritics 2``, so *lumiere* finds *Lumière*), filled
  from the stored posts here and kept current by triggers. The triggers on ``posts`` only
  note which posts changed (``posts_fts_pending``, with what the index holds of them); the
  index takes them in, in one statement, when an import batch ends (a trigger on the run's
  counters, in the batch's transaction) and before any search
  (:func:`confiance.store.search.sync`). Writing to FTS5 from a trigger on every row costs
  five times more than the whole insert of the row (FTS5 flushes its buffer at every
  statement of a trigger); once per batch it costs about a fifth.
- PostgreSQL: ``ix_posts_search``, a GIN index on ``to_tsvector('simple', ...)`` of the text and
  title with accents folded by ``translate()`` (immutable, so no ``unaccent`` extension is
  needed); PostgreSQL fills it from the stored posts as it builds it and keeps it current.
- ``ix_posts_engagement`` (likes + comments + shares, then id): mentions sorted by engagement
  are read in index order instead of sorting every post of a brand.
- ``ix_enrichments_sentiment_score_post_id``: the same for the sentiment score.
- ``ix_posts_platform_parent_id``: a post's direct replies, for its thread.
- ``ix_authors_followers_id`` (authors sorted by followers) and ``ix_authors_handle`` (the
  mentions filter ``author=HANDLE``).
- ``topic_corrections``: an analyst's change to a post's topics.

A later migration that rebuilds ``posts`` or ``imports`` on SQLite (Alembic's batch mode
copies the table) must create ``ix_posts_engagement`` and the ``posts_fts_*`` triggers again:
batch mode cannot see an expression index, and a trigger goes with its table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# Frozen copies of confiance.store.tables.FOLD_FROM / FOLD_TO as this revision indexed them.
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚě"
    "ĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžȘșȚț"
)
FOLD_TO = (
    "AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyyAaAaAaCcCcCcCcDdDdEeEeEeEeEe"
    "GgGgGgGgHhIiIiIiIiIJjKkLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzSsTt"
)

SYNC = (
    # what the index holds of changed or deleted posts goes first...
    "INSERT INTO posts_fts(posts_fts, rowid, text, title) "
    "SELECT 'delete', post_id, old_text, old_title FROM posts_fts_pending WHERE indexed = 1",
    # ...then the current text of the posts still there, all in one statement
    "INSERT INTO posts_fts(rowid, text, title) SELECT posts.id, posts.text, posts.title "
    "FROM posts_fts_pending JOIN posts ON posts.id = posts_fts_pending.post_id",
    "DELETE FROM posts_fts_pending",
)
SQLITE_UP = (
    # columnsize=0: no per-document sizes (they serve only bm25 ranking, which lists do
    # not use), a tenth less work per post indexed.
    "CREATE VIRTUAL TABLE posts_fts USING fts5(text, title, content='posts', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', columnsize=0)",
    # Posts whose words changed since the index last took them in; ``indexed = 1``: the
    # index holds ``old_text`` and ``old_title`` for it (the first change since wins).
    "CREATE TABLE posts_fts_pending (post_id INTEGER PRIMARY KEY, indexed INTEGER NOT NULL, "
    "old_text TEXT, old_title TEXT)",
    "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
    "INSERT OR IGNORE INTO posts_fts_pending (post_id, indexed) VALUES (new.id, 0); END",
    "CREATE TRIGGER posts_fts_update AFTER UPDATE OF text, title ON posts "
    "WHEN old.text IS NOT new.text OR old.title IS NOT new.title BEGIN "
    "INSERT OR IGNORE INTO posts_fts_pending (post_id, indexed, old_text, old_title) "
    "VALUES (old.id, 1, old.text, old.title); END",
    "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
    "INSERT OR IGNORE INTO posts_fts_pending (post_id, indexed, old_text, old_title) "
    "VALUES (old.id, 1, old.text, old.title); END",
    # Each import batch ends by adding to its run's counters, in its transaction: the batch's
    # posts are indexed then, in one statement.
    "CREATE TRIGGER posts_fts_sync AFTER UPDATE OF imported, updated ON imports BEGIN "
    + "; ".join(SYNC) + "; END",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",  # index the posts stored already
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS posts_fts_sync",
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_insert",
    "DROP TABLE IF EXISTS posts_fts_pending",
    "DROP TABLE IF EXISTS posts_fts",
)
POSTGRES_UP = (
    "CREATE INDEX ix_posts_search ON posts USING gin (to_tsvector('simple', translate("
    "coalesce(text, '') || ' ' || coalesce(title, ''), "
    f"'{FOLD_FROM}', '{FOLD_TO}')))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_posts_search",)
ENGAGEMENT = "(coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0))"


def upgrade() -> None:
    op.create_table(
        "topic_corrections",
        sa.Column("id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("brand_id", ID, nullable=False),
        sa.Column("added", JSON, nullable=False),
        sa.Column("removed", JSON, nullable=False),
        sa.Column("corrected_by", sa.String(length=320), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"],
                                name=op.f("fk_topic_corrections_brand_id_brands"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_topic_corrections_post_id_posts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_corrections")),
    )
    op.create_index(op.f("ix_topic_corrections_brand_id_created_at"), "topic_corrections",
                    ["brand_id", "created_at"])
    op.create_index(op.f("ix_topic_corrections_post_id"), "topic_corrections", ["post_id"])
    op.create_index(op.f("ix_posts_platform_parent_id"), "posts", ["platform", "parent_id"])
    op.create_index("ix_posts_engagement", "posts", [sa.text(ENGAGEMENT), "id"])
    op.create_index(op.f("ix_enrichments_sentiment_score_post_id"), "enrichments",
                    ["sentiment_score", "post_id"])
    op.create_index(op.f("ix_authors_followers_id"), "authors", ["followers", "id"])
    op.create_index(op.f("ix_authors_handle"), "authors", ["handle"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index(op.f("ix_authors_handle"), table_name="authors")
    op.drop_index(op.f("ix_authors_followers_id"), table_name="authors")
    op.drop_index(op.f("ix_enrichments_sentiment_score_post_id"), table_name="enrichments")
    op.drop_index("ix_posts_engagement", table_name="posts")
    op.drop_index(op.f("ix_posts_platform_parent_id"), table_name="posts")
    op.drop_index(op.f("ix_topic_corrections_post_id"), table_name="topic_corrections")
    op.drop_index(op.f("ix_topic_corrections_brand_id_created_at"),
                  table_name="topic_corrections")
    op.drop_table("topic_corrections")

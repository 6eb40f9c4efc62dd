"""Rollup tables the dashboard reads, filled from the posts already stored.

``rollup_posts`` is the ledger of what each (brand, post) attachment counts for; the five
aggregate tables are sums over it (see ``confiance.store.rollups``, which keeps them current).
The backfill is frozen SQL, one variant per backend, so that this revision does the same
thing whatever later code does; ``confiance rollups rebuild`` recomputes them with the code
of the running version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UPTO = [f"upto{day:02d}" for day in range(1, 32)]
TABLES = ("rollup_authors", "rollup_topics", "rollup_segments", "rollup_days", "rollup_hours",
          "rollup_posts")


def _brand(table: str) -> list[Any]:
    return [sa.Column("brand_id", ID, nullable=False),
            sa.ForeignKeyConstraint(["brand_id"], ["brands.id"],
                                    name=f"fk_{table}_brand_id_brands", ondelete="CASCADE")]


def upgrade() -> None:
    op.create_table(
        "rollup_posts",
        *_brand("rollup_posts"),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", TIME, nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.String(length=200), nullable=False),
        sa.Column("topics", JSON, nullable=True),
        sa.PrimaryKeyConstraint("brand_id", "post_id", name="pk_rollup_posts"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_rollup_posts_post_id", "rollup_posts", ["post_id"])
    op.create_index("ix_rollup_posts_brand_id_day_engagement_post_id", "rollup_posts",
                    ["brand_id", "day", "engagement", "post_id"])
    op.create_table(
        "rollup_hours",
        *_brand("rollup_hours"),
        sa.Column("hour", TIME, nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("brand_id", "hour", "sentiment", name="pk_rollup_hours"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_days",
        *_brand("rollup_days"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("brand_id", "day", "sentiment", name="pk_rollup_days"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_segments",
        *_brand("rollup_segments"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        *(sa.Column(day, sa.Integer(), nullable=False) for day in UPTO),
        sa.PrimaryKeyConstraint("brand_id", "month", "platform", "language", "sentiment",
                                name="pk_rollup_segments"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_topics",
        *_brand("rollup_topics"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        *(sa.Column(day, sa.Integer(), nullable=False) for day in UPTO),
        sa.PrimaryKeyConstraint("brand_id", "month", "topic", "sentiment",
                                name="pk_rollup_topics"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rollup_authors",
        *_brand("rollup_authors"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.String(length=200), nullable=False),
        *(sa.Column(day, sa.Integer(), nullable=False) for day in UPTO),
        sa.PrimaryKeyConstraint("brand_id", "month", "platform", "author_id",
                                name="pk_rollup_authors"),
        sqlite_with_rowid=False,
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)


# The ledger: one row per (brand, post) attachment of a post with a creation time.
LEDGER_SQLITE = """
INSERT INTO rollup_posts (brand_id, post_id, day, hour, platform, language, sentiment,
                          engagement, author_id, topics)
SELECT bp.brand_id, p.id, date(p.created_at),
       strftime('%Y-%m-%d %H:00:00.000000', p.created_at), p.platform,
       lower(CASE WHEN instr(coalesce(e.language, p.language, ''), '-') > 0
                  THEN substr(coalesce(e.language, p.language, ''), 1,
                              instr(coalesce(e.language, p.language, ''), '-') - 1)
                  ELSE coalesce(e.language, p.language, '') END),
       coalesce(e.sentiment, ''),
       coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0),
       coalesce(p.author_id, ''),
       CASE WHEN json_type(e.topics) = 'array' AND json_array_length(e.topics) > 0
            THEN e.topics END
FROM brand_posts bp JOIN posts p ON p.id = bp.post_id
LEFT OUTER JOIN enrichments e ON e.post_id = p.id
WHERE p.created_at IS NOT NULL
"""
LEDGER_POSTGRESQL = """
INSERT INTO rollup_posts (brand_id, post_id, day, hour, platform, language, sentiment,
                          engagement, author_id, topics)
SELECT bp.brand_id, p.id, CAST(timezone('UTC', p.created_at) AS DATE),
       timezone('UTC', date_trunc('hour', timezone('UTC', p.created_at))), p.platform,
       lower(split_part(coalesce(e.language, p.language, ''), '-', 1)),
       coalesce(e.sentiment, ''),
       coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0),
       coalesce(p.author_id, ''),
       CASE WHEN jsonb_typeof(e.topics) = 'array' THEN
            CASE WHEN jsonb_array_length(e.topics) > 0 THEN e.topics END END
FROM brand_posts bp JOIN posts p ON p.id = bp.post_id
LEFT OUTER JOIN enrichments e ON e.post_id = p.id
WHERE p.created_at IS NOT NULL
"""
SUMS = """
INSERT INTO rollup_hours (brand_id, hour, sentiment, posts, engagement)
SELECT brand_id, hour, sentiment, count(*), sum(engagement) FROM rollup_posts
GROUP BY brand_id, hour, sentiment;
INSERT INTO rollup_days (brand_id, day, sentiment, posts, engagement)
SELECT brand_id, day, sentiment, count(*), sum(engagement) FROM rollup_posts
GROUP BY brand_id, day, sentiment
"""
MONTH_AND_DAY = {
    "sqlite": "date(r.day, 'start of month') AS month, "
              "CAST(strftime('%d', r.day) AS INTEGER) AS dom",
    "postgresql": "(r.day - (CAST(EXTRACT(DAY FROM r.day) AS INTEGER) - 1)) AS month, "
                  "CAST(EXTRACT(DAY FROM r.day) AS INTEGER) AS dom",
}
TOPICS = {
    "sqlite": "json_each(r.topics) AS t",
    "postgresql": "jsonb_array_elements_text(r.topics) AS t(value)",
}
# Cumulated by day: column uptoNN counts the rows of days 1 to NN of the month.
CUMULATED = {
    "rollup_segments": ("platform, language, sentiment",
                        "SELECT r.brand_id, {month_and_day}, r.platform, r.language, "
                        "r.sentiment FROM rollup_posts r"),
    "rollup_topics": ("topic, sentiment",
                      "SELECT DISTINCT r.brand_id, {month_and_day}, t.value AS topic, "
                      "r.sentiment, r.post_id FROM rollup_posts r JOIN {topics} ON true"),
    "rollup_authors": ("platform, author_id",
                       "SELECT r.brand_id, {month_and_day}, r.platform, r.author_id "
                       "FROM rollup_posts r WHERE r.author_id <> ''"),
}
CUMULATED_SQL = """
INSERT INTO {table} (brand_id, month, {keys}, {days})
SELECT brand_id, month, {keys}, {sums}
FROM (SELECT brand_id, month, {keys}, dom, count(*) AS n FROM ({rows}) AS s
      GROUP BY brand_id, month, {keys}, dom) AS d
GROUP BY brand_id, month, {keys}
"""


def _backfill(conn: sa.Connection) -> None:
    """Fill the rollups from the posts, enrichments and attachments already stored."""
    dialect = conn.dialect.name
    sums = ", ".join(f"sum(CASE WHEN dom <= {day} THEN n ELSE 0 END)" for day in range(1, 32))
    statements = [LEDGER_POSTGRESQL if dialect == "postgresql" else LEDGER_SQLITE,
                  *SUMS.split(";")]
    for table, (keys, rows) in CUMULATED.items():
        statements.append(CUMULATED_SQL.format(
            table=table, keys=keys, days=", ".join(UPTO), sums=sums,
            rows=rows.format(month_and_day=MONTH_AND_DAY[dialect], topics=TOPICS[dialect])))
    for statement in statements:  # constant SQL, no value in it: sent as it is
        conn.exec_driver_sql(statement)

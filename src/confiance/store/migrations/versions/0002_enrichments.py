"""Enrichments: language, sentiment, topics, moderation and intent of each post.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrichments",
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("language_confidence", sa.Float(), nullable=True),
        sa.Column("sentiment", sa.String(length=10), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column(
            "topics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("toxicity", sa.Float(), nullable=True),
        sa.Column(
            "flags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("intent", sa.String(length=20), nullable=True),
        sa.Column(
            "made_by",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("enriched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_enrichments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_enrichments")),
    )
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrichments_language"), ["language"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrichments_sentiment"), ["sentiment"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrichments_sentiment"))
        batch_op.drop_index(batch_op.f("ix_enrichments_language"))

    op.drop_table("enrichments")

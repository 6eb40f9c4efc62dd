"""Sentiment corrections and the brand heads retrained from them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sentiment_corrections",
        sa.Column("id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=True),
        sa.Column("brand_id", ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("previous", sa.String(length=10), nullable=True),
        sa.Column("corrected_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"],
            name=op.f("fk_sentiment_corrections_brand_id_brands"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"],
            name=op.f("fk_sentiment_corrections_post_id_posts"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_corrections")),
    )
    with op.batch_alter_table("sentiment_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sentiment_corrections_brand_id"), ["brand_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_sentiment_corrections_post_id"), ["post_id"],
                              unique=False)
    op.create_table(
        "sentiment_models",
        sa.Column("id", ID, nullable=False),
        sa.Column("brand_id", ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"],
            name=op.f("fk_sentiment_models_brand_id_brands"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_models")),
        sa.UniqueConstraint("brand_id", "revision",
                            name=op.f("uq_sentiment_models_brand_id_revision")),
    )


def downgrade() -> None:
    op.drop_table("sentiment_models")
    with op.batch_alter_table("sentiment_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentiment_corrections_post_id"))
        batch_op.drop_index(batch_op.f("ix_sentiment_corrections_brand_id"))
    op.drop_table("sentiment_corrections")

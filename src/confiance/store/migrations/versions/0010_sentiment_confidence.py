"""Sentiment confidence: ``enrichments.sentiment_confidence``, the winning class's probability.

Enrichment computed it but did not keep it; it is stored now so that analysts can review the
least certain labels first (the mentions list's ``sentiment_confidence`` order), with an index
for that order. Posts enriched before this revision keep NULL there (they come last in that
order) until they are enriched again; nothing to backfill.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_enrichments_sentiment_confidence_post_id"


def upgrade() -> None:
    op.add_column("enrichments", sa.Column("sentiment_confidence", sa.Float(), nullable=True))
    op.create_index(op.f(INDEX), "enrichments", ["sentiment_confidence", "post_id"])


def downgrade() -> None:
    op.drop_index(op.f(INDEX), table_name="enrichments")
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.drop_column("sentiment_confidence")

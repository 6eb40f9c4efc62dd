"""Continuous listening: the sources polled or pushed, their deliveries, and the detectors' feed.

``listen_sources`` (per brand: a polled platform or a push endpoint, with its cursor, lease
and health), ``listen_inbox`` (pushed deliveries kept until imported), ``listen_feed`` (each
collected post once, until enriched), ``watch_queue`` (enriched posts waiting for a brand's
detectors), ``watch_states`` (the detectors' saved state, leased to one listener) and
``listeners`` (the running listeners' heartbeats). Nothing to backfill.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def _lease() -> list[sa.Column[object]]:
    return [sa.Column("lease_owner", sa.String(length=200), nullable=True),
            sa.Column("lease_until", TIME, nullable=True)]


def upgrade() -> None:
    op.create_table(
        "listen_sources",
        sa.Column("id", ID, nullable=False),
        sa.Column("brand_id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=50), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("secret_ref", sa.String(length=1000), nullable=True),
        sa.Column("push_key", sa.String(length=64), nullable=True),
        sa.Column("push_secret", sa.String(length=200), nullable=True),
        sa.Column("interval_s", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source_id", ID, nullable=True),
        sa.Column("cursor", JSON, nullable=True),
        sa.Column("next_run_at", TIME, nullable=False),
        *_lease(),
        sa.Column("health", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_run_at", TIME, nullable=True),
        sa.Column("last_success_at", TIME, nullable=True),
        sa.Column("token_expires_at", TIME, nullable=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("listen_sources", "brand_id", "brands", "CASCADE"),
        _fk("listen_sources", "source_id", "sources", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_listen_sources"),
        sa.UniqueConstraint("brand_id", "name", name="uq_listen_sources_brand_id_name"),
        sa.UniqueConstraint("push_key", name="uq_listen_sources_push_key"),
    )
    op.create_index("ix_listen_sources_enabled_next_run_at", "listen_sources",
                    ["enabled", "next_run_at"])
    op.create_table(
        "listen_inbox",
        sa.Column("id", ID, nullable=False),
        sa.Column("listen_source_id", ID, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("processed_at", TIME, nullable=True),
        *_lease(),
        _fk("listen_inbox", "listen_source_id", "listen_sources", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_listen_inbox"),
        sa.UniqueConstraint("listen_source_id", "digest",
                            name="uq_listen_inbox_listen_source_id_digest"),
    )
    op.create_index("ix_listen_inbox_processed_at_id", "listen_inbox", ["processed_at", "id"])
    op.create_table(
        "listen_feed",
        sa.Column("post_id", ID, nullable=False),
        sa.Column("queued_at", TIME, nullable=False),
        sa.Column("enriched_at", TIME, nullable=True),
        *_lease(),
        _fk("listen_feed", "post_id", "posts", "CASCADE"),
        sa.PrimaryKeyConstraint("post_id", name="pk_listen_feed"),
    )
    op.create_index("ix_listen_feed_enriched_at_queued_at", "listen_feed",
                    ["enriched_at", "queued_at"])
    op.create_table(
        "watch_queue",
        sa.Column("id", ID, nullable=False),
        sa.Column("brand_id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("queued_at", TIME, nullable=False),
        _fk("watch_queue", "brand_id", "brands", "CASCADE"),
        _fk("watch_queue", "post_id", "posts", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_watch_queue"),
    )
    op.create_index("ix_watch_queue_brand_id_id", "watch_queue", ["brand_id", "id"])
    op.create_table(
        "watch_states",
        sa.Column("brand_id", ID, nullable=False),
        sa.Column("state", JSON, nullable=True),
        sa.Column("observed", sa.BigInteger(), nullable=False),
        *_lease(),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("watch_states", "brand_id", "brands", "CASCADE"),
        sa.PrimaryKeyConstraint("brand_id", name="pk_watch_states"),
    )
    op.create_table(
        "listeners",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("seen_at", TIME, nullable=False),
        sa.Column("stats", JSON, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_listeners"),
    )


def downgrade() -> None:
    for table in ("listeners", "watch_states", "watch_queue", "listen_feed", "listen_inbox",
                  "listen_sources"):
        op.drop_table(table)

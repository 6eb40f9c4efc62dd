"""Crisis alerts: the rules that say who hears about them, the alerts, and the outbox.

``alert_rules`` (per brand: detector, scope, minimum severity, quiet hours, channels),
``alerts`` (one row per episode, merged while its detector keeps firing) and
``alert_notifications`` (the outbox, delivered after the transaction that wrote it commits).
Nothing to backfill: alerts start with the listening loop.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _brand(table: str) -> list[Any]:
    return [
        sa.Column("brand_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=f"fk_{table}_brand_id_brands", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", ID, nullable=False),
        *_brand("alert_rules"),
        sa.Column("detector", sa.String(length=30), nullable=True),
        sa.Column("scope", sa.String(length=100), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("min_severity", sa.Integer(), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("channels", JSON, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_rules"),
    )
    op.create_index("ix_alert_rules_brand_id", "alert_rules", ["brand_id"])
    op.create_table(
        "alerts",
        sa.Column("id", ID, nullable=False),
        *_brand("alerts"),
        sa.Column("episode_key", sa.String(length=600), nullable=False),
        sa.Column("detector", sa.String(length=30), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("max_severity", sa.Integer(), nullable=False),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.Column("window_start", TIME, nullable=False),
        sa.Column("window_end", TIME, nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("firings", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=320), nullable=True),
        sa.Column("acknowledged_at", TIME, nullable=True),
        sa.Column("resolved_by", sa.String(length=320), nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_brand_id_status_id", "alerts", ["brand_id", "status", "id"])
    op.create_index(
        "ix_alerts_brand_id_episode_key_last_seen",
        "alerts",
        ["brand_id", "episode_key", "last_seen"],
    )
    op.create_table(
        "alert_notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("alert_id", ID, nullable=True),
        *_brand("alert_notifications"),
        sa.Column("rule_id", ID, nullable=True),
        sa.Column("channel_kind", sa.String(length=20), nullable=False),
        sa.Column("channel_target", sa.String(length=2000), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("period_start", TIME, nullable=True),
        sa.Column("period_end", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name="fk_alert_notifications_alert_id_alerts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name="fk_alert_notifications_rule_id_alert_rules",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_notifications"),
        sa.UniqueConstraint(
            "rule_id",
            "channel_kind",
            "channel_target",
            "period_end",
            name="uq_alert_notifications_digest",
        ),
    )
    op.create_index(
        "ix_alert_notifications_status_next_attempt_at",
        "alert_notifications",
        ["status", "next_attempt_at"],
    )
    op.create_index("ix_alert_notifications_alert_id", "alert_notifications", ["alert_id"])


def downgrade() -> None:
    op.drop_table("alert_notifications")
    op.drop_table("alerts")
    op.drop_table("alert_rules")

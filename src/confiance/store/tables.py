"""The schema, as SQLAlchemy Core tables. Alembic migrations create exactly this.

Posts and authors are keyed on (platform, platform_id); a post refers to its author by the
author's platform id on the same platform, so ingest never has to look up surrogate ids.
JSON columns hold lists (media, hashtags, mentions) and the raw payload as received.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite aliases INTEGER PRIMARY KEY to rowid
Time = DateTime(timezone=True)

brands = Table(
    "brands",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("query", Text),
    Column("hashtags", Json, nullable=False),
    Column("competitor_of", ForeignKey("brands.id", ondelete="CASCADE")),
    Column("created_at", Time, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(500), nullable=False),
    Column("format", String(50), nullable=False),
    Column("config", Json, nullable=False),
    Column("cursor", Text),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("kind", "name", "format"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("brand_id", ForeignKey("brands.id", ondelete="SET NULL")),
    Column("status", String(20), nullable=False),
    Column("started_at", Time, nullable=False),
    Column("heartbeat_at", Time),
    Column("finished_at", Time),
    Column("imported", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("error", Text),
)

authors = Table(
    "authors",
    metadata,
    Column("id", Id, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("handle", String(200)),
    Column("display_name", Text),
    Column("followers", BigInteger),
    Column("following", BigInteger),
    Column("post_count", BigInteger),
    Column("verified", Boolean),
    Column("bio", Text),
    Column("location", Text),
    Column("url", Text),
    Column("first_seen_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    UniqueConstraint("platform", "platform_id"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("url", Text),
    Column("author_id", String(200)),
    Column("text", Text),
    Column("title", Text),
    Column("language", String(16)),
    Column("created_at", Time),
    Column("parent_id", String(200)),
    Column("rating", Float),
    Column("media", Json, nullable=False),
    Column("hashtags", Json, nullable=False),
    Column("mentions", Json, nullable=False),
    Column("likes", BigInteger),
    Column("comments", BigInteger),
    Column("shares", BigInteger),
    Column("views", BigInteger),
    Column("raw", Json),
    Column("source_id", ForeignKey("sources.id", ondelete="SET NULL")),
    Column("imported_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    UniqueConstraint("platform", "platform_id"),
    Index(None, "created_at"),
    Index(None, "platform", "author_id"),
)
"""``author_id`` is the author's platform id on the same platform (join on both columns)."""

brand_posts = Table(
    "brand_posts",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("via", String(20), nullable=False),
    Index(None, "post_id"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True),
    Column("import_id", ForeignKey("imports.id", ondelete="SET NULL")),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("position", String(100)),
    Column("code", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("source_id", "fingerprint"),
)
"""Rejected items, kept with their reason and position; re-importing the file replaces them."""

enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(16)),
    Column("language_confidence", Float),
    Column("sentiment", String(10)),
    Column("sentiment_score", Float),
    Column("topics", Json),
    Column("toxicity", Float),
    Column("flags", Json),
    Column("intent", String(20)),
    Column("made_by", Json, nullable=False),
    Column("errors", Json),
    Column("enriched_at", Time, nullable=False),
    Index(None, "language"),
    Index(None, "sentiment"),
)
"""What enrichment wrote for a post; ``made_by`` maps each value to the versioned component
(or ``platform``) that produced it, ``errors`` lists components that failed on the post."""

sentiment_corrections = Table(
    "sentiment_corrections",
    metadata,
    Column("id", Id, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="SET NULL")),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE")),
    Column("text", Text, nullable=False),
    Column("language", String(16)),
    Column("label", String(10), nullable=False),
    Column("previous", String(10)),
    Column("corrected_by", String(200)),
    Column("created_at", Time, nullable=False),
    Index(None, "brand_id"),
    Index(None, "post_id"),
)
"""An analyst's sentiment label for a text: the text is copied, so retraining still works
after the post is deleted; ``previous`` is what the model had said."""

sentiment_models = Table(
    "sentiment_models",
    metadata,
    Column("id", Id, primary_key=True),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("model", LargeBinary, nullable=False),
    Column("manifest", Json, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("brand_id", "revision"),
)
"""A brand's retrained sentiment head (``.npz`` bytes, a few kB; never a pickle) with its
manifest (corrections used, accuracy before and after); one active revision per brand."""

"""The schema, as SQLAlchemy Core tables. Alembic migrations create exactly this.

Posts and authors are keyed on (platform, platform_id); a post refers to its author by the
author's platform id on the same platform, so ingest never has to look up surrogate ids.
JSON columns hold lists (media, hashtags, mentions) and the raw payload as received.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
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
    column,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

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

FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚě"
    "ĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŁłŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžȘșȚț"
)
FOLD_TO = (
    "AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyyAaAaAaCcCcCcCcDdDdEeEeEeEeEe"
    "GgGgGgGgHhIiIiIiIiIJjKkLlLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzSsTt"
)
"""Accented Latin letters and the letter each becomes in PostgreSQL's full-text index
(``translate()`` is immutable, so an index can use it without the ``unaccent`` extension).
Frozen: migration 0005 built ``ix_posts_search`` with these very strings; changing them needs
a migration that rebuilds the index."""


def engagement(likes: ColumnElement[int], comments: ColumnElement[int],
               shares: ColumnElement[int]) -> ColumnElement[int]:
    """Likes + comments + shares, a missing count as 0: the expression ``ix_posts_engagement``
    indexes. A query sorts on the index only when it uses this very expression."""
    zero: ColumnElement[int] = literal_column("0")
    total: ColumnElement[int] = (func.coalesce(likes, zero) + func.coalesce(comments, zero)
                                 + func.coalesce(shares, zero))
    return total


def search_vector(text: ColumnElement[str], title: ColumnElement[str]) -> ColumnElement[Any]:
    """PostgreSQL's full-text document of a post: its text and title, accents folded
    (:data:`FOLD_FROM`), split into lower-case words by the ``simple`` configuration (no
    stemming, no stop words: the same words in French and English). ``ix_posts_search``
    indexes this very expression."""
    empty: ColumnElement[str] = literal_column("''")
    document = func.coalesce(text, empty).op("||")(literal_column("' '")).op("||")(
        func.coalesce(title, empty))
    folded = func.translate(document, literal_column(f"'{FOLD_FROM}'"),
                            literal_column(f"'{FOLD_TO}'"))
    vector: ColumnElement[Any] = func.to_tsvector(literal_column("'simple'"), folded)
    return vector


FTS_TABLE = "posts_fts"
"""SQLite's full-text index of posts (FTS5, external content: text and title of ``posts``,
``unicode61 remove_diacritics 2``), with ``posts_fts_pending`` (the posts changed since the
index took them in, noted by the triggers ``posts_fts_insert``, ``posts_fts_update`` and
``posts_fts_delete``; ``posts_fts_sync`` indexes them at the end of each import batch).
Created by migration 0005 with raw DDL: no SQLAlchemy table can describe a virtual table, so
neither is in :data:`metadata`."""


def in_metadata(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leave out :data:`FTS_TABLE`, its shadow tables
    (``posts_fts_data``, ``posts_fts_idx``...) and ``posts_fts_pending``, which the metadata
    does not declare."""
    return not (type_ == "table" and name is not None
                and (name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")))

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", Time, nullable=False),
)
"""A team's space: it holds brands, and its members see nothing outside it."""

brands = Table(
    "brands",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("query", Text),
    Column("hashtags", Json, nullable=False),
    Column("competitor_of", ForeignKey("brands.id", ondelete="CASCADE")),
    Column("created_at", Time, nullable=False),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Index(None, "workspace_id"),
)
"""A brand or a competitor; a competitor lives in the workspace of the brand it competes with."""

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
    Index(None, "followers", "id"),  # the authors listing sorted by followers, keyset-paged
    Index(None, "handle"),  # the mentions filter author=HANDLE
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
    Index(None, "platform", "parent_id"),  # a post's direct replies (its thread)
    # Mentions sorted by engagement: read in index order, newest id first among equals.
    Index("ix_posts_engagement", engagement(column("likes"), column("comments"),
                                            column("shares")), "id"),
    # Full-text search on PostgreSQL (SQLite has the FTS5 table posts_fts instead).
    Index("ix_posts_search", search_vector(column("text"), column("title")),
          postgresql_using="gin").ddl_if(dialect="postgresql"),
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
    Column("sentiment_confidence", Float),
    Column("topics", Json),
    Column("toxicity", Float),
    Column("flags", Json),
    Column("intent", String(20)),
    Column("made_by", Json, nullable=False),
    Column("errors", Json),
    Column("enriched_at", Time, nullable=False),
    Index(None, "language"),
    Index(None, "sentiment"),
    Index(None, "sentiment_score", "post_id"),  # mentions sorted by sentiment score
    Index(None, "sentiment_confidence", "post_id"),  # least certain sentiment first
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

topic_corrections = Table(
    "topic_corrections",
    metadata,
    Column("id", Id, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("added", Json, nullable=False),
    Column("removed", Json, nullable=False),
    Column("corrected_by", String(320)),
    Column("created_at", Time, nullable=False),
    Index(None, "brand_id", "created_at"),
    Index(None, "post_id"),
)
"""An analyst's change to a post's topics (aspect ids added and removed) for one brand; the
post's ``enrichments.topics`` is rewritten at once."""

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

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("password_hash", Text, nullable=False),
    Column("locale", String(8), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("created_at", Time, nullable=False),
    Column("last_login_at", Time),
)
"""A person who signs in; ``email`` is stored case-folded, ``password_hash`` is argon2id."""

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("created_at", Time, nullable=False),
    Index(None, "workspace_id"),
)
"""A user's role in a workspace: owner, analyst, moderator or viewer."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time),
    Column("last_used_at", Time),
    Column("revoked_at", Time),
    Index(None, "user_id"),
)
"""A personal API token: only its SHA-256 is kept; ``prefix`` lets its owner recognise it."""

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False),
    Column("last_seen_at", Time, nullable=False),
    Index(None, "user_id"),
)
"""A signed-in browser: the cookie holds a random id whose SHA-256 is the key here."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("at", Time, nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("actor", String(320)),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="SET NULL")),
    Column("action", String(60), nullable=False),
    Column("target", String(320)),
    Column("details", Json),
    Column("ip", String(64)),
    Index(None, "at"),
    Index(None, "workspace_id", "at"),
    Index(None, "action", "target", "at"),
)
"""Sign-ins (failed ones too, which drive the login rate limit) and every change a user made;
``actor`` keeps the e-mail address after the user is deleted. Never holds a secret."""

# --- dashboard rollups (store/rollups.py keeps them exact in the transaction of each change) ---

rollup_posts = Table(
    "rollup_posts",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", Id, primary_key=True),
    Column("day", Date, nullable=False),
    Column("hour", Time, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("language", String(16), nullable=False),
    Column("sentiment", String(10), nullable=False),
    Column("engagement", BigInteger, nullable=False),
    Column("author_id", String(200), nullable=False),
    Column("topics", Json),
    Index(None, "post_id"),
    Index(None, "brand_id", "day", "engagement", "post_id"),
    sqlite_with_rowid=False,
)
"""The ledger: what each (brand, post) attachment contributes to the rollups below, as it was
counted (UTC day and hour, primary language subtag, sentiment, likes + comments + shares,
author, topics; ``''`` where unknown). ``post_id`` has no foreign key on purpose: after a post
is deleted, ``rollups.refresh`` on its id still finds what to subtract."""

rollup_hours = Table(
    "rollup_hours",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("hour", Time, primary_key=True),
    Column("sentiment", String(10), primary_key=True),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
"""Posts and engagement per brand, UTC hour and sentiment (hourly volume series)."""

rollup_days = Table(
    "rollup_days",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("sentiment", String(10), primary_key=True),
    Column("posts", Integer, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
"""Posts and engagement per brand, UTC day and sentiment (totals, share of voice, daily and
weekly series)."""

rollup_segments = Table(
    "rollup_segments",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("platform", String(20), primary_key=True),
    Column("language", String(16), primary_key=True),
    Column("sentiment", String(10), primary_key=True),
    *(Column(f"upto{day:02d}", Integer, nullable=False) for day in range(1, 32)),
    sqlite_with_rowid=False,
)
"""Posts per brand, UTC month, platform, language and sentiment, cumulated by day (see
``rollup_authors``): sentiment by platform and by language."""

rollup_topics = Table(
    "rollup_topics",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("sentiment", String(10), primary_key=True),
    *(Column(f"upto{day:02d}", Integer, nullable=False) for day in range(1, 32)),
    sqlite_with_rowid=False,
)
"""Posts mentioning each topic (aspect id) per brand, UTC month and sentiment, cumulated by
day (see ``rollup_authors``)."""

rollup_authors = Table(
    "rollup_authors",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("platform", String(20), primary_key=True),
    Column("author_id", String(200), primary_key=True),
    *(Column(f"upto{day:02d}", Integer, nullable=False) for day in range(1, 32)),
    sqlite_with_rowid=False,
)
"""Posts per brand, author and UTC month, cumulated by day: ``uptoNN`` counts the posts of
days 1 to NN (``upto31``: the whole month). The posts of days a to b of a month are
``upto<b> - upto<a-1>``, so the top authors of any run of days read one row per author and
month, with one subtraction each."""

rollup_generations = Table(
    "rollup_generations",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)
"""A random 62-bit number per brand, drawn anew in the transaction of every change to the
brand's rollups (``rollups.refresh`` and ``rollups.rebuild``): the dashboard's answer cache
serves a block only while the generations it was computed under are current. No row: the
brand has no rollups yet."""

# --- crisis alerts (store/alerts.py: lifecycle; store/alert_rules.py; store/alert_outbox.py) ---

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Id, primary_key=True),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("detector", String(30)),
    Column("scope", String(100)),
    Column("enabled", Boolean, nullable=False),
    Column("min_severity", Integer, nullable=False),
    Column("params", Json, nullable=False),
    Column("quiet_start", String(5)),
    Column("quiet_end", String(5)),
    Column("timezone", String(64)),
    Column("channels", Json, nullable=False),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Index(None, "brand_id"),
)
"""Who hears about a brand's alerts, and how: ``detector`` and ``scope`` (``NULL``: all),
the lowest severity that notifies, detector threshold overrides (``params``), quiet hours
(``HH:MM`` local times in ``timezone``) and ``channels``, a list of ``{"kind", "target",
"digest", "language"}`` objects."""

alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("episode_key", String(600), nullable=False),
    Column("detector", String(30), nullable=False),
    Column("scope", String(100), nullable=False),
    Column("subject", Text),
    Column("status", String(20), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("max_severity", Integer, nullable=False),
    Column("first_seen", Time, nullable=False),
    Column("last_seen", Time, nullable=False),
    Column("window_start", Time, nullable=False),
    Column("window_end", Time, nullable=False),
    Column("observed", Float, nullable=False),
    Column("expected", Float, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", Json, nullable=False),
    Column("firings", Integer, nullable=False),
    Column("acknowledged_by", String(320)),
    Column("acknowledged_at", Time),
    Column("resolved_by", String(320)),
    Column("resolved_at", Time),
    Column("resolution_note", Text),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Index(None, "brand_id", "status", "id"),  # a brand's open alerts, newest first
    Index(None, "brand_id", "episode_key", "last_seen"),  # the episode a signal merges into
)
"""One crisis episode of a brand: the signals of one detector, scope and subject merged while
they keep firing. ``first_seen`` / ``last_seen`` are signal times (the end of the window
that fired); ``evidence`` holds the latest firing's top terms, posts, authors and details;
``acknowledged_by`` / ``resolved_by`` keep the user's e-mail address (``system`` when the
alert resolved itself)."""

alert_notifications = Table(
    "alert_notifications",
    metadata,
    Column("id", Id, primary_key=True),
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE")),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", ForeignKey("alert_rules.id", ondelete="SET NULL")),
    Column("channel_kind", String(20), nullable=False),
    Column("channel_target", String(2000), nullable=False),
    Column("language", String(8), nullable=False),
    Column("event", String(20), nullable=False),
    Column("status", String(30), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Time, nullable=False),
    Column("last_error", Text),
    Column("period_start", Time),
    Column("period_end", Time),
    Column("created_at", Time, nullable=False),
    Column("sent_at", Time),
    Index(None, "status", "next_attempt_at"),  # the rows due for delivery
    Index(None, "alert_id"),
    UniqueConstraint("rule_id", "channel_kind", "channel_target", "period_end",
                     name="uq_alert_notifications_digest"),  # one digest per channel and period
)
"""The outbox: one row per message to deliver, written in the transaction that opened,
escalated or resolved the alert and delivered after it commits (``alert_id`` is ``NULL``
for a digest, which covers ``period_start`` to ``period_end``). ``next_attempt_at`` is when
the row is due: now, the end of the quiet hours (``deferred``), the next retry, or the end of
a sender's claim. ``last_error`` never holds a secret."""

listen_sources = Table(
    "listen_sources",
    metadata,
    Column("id", Id, primary_key=True),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("format", String(50), nullable=False),
    Column("config", Json, nullable=False),
    Column("secret_ref", String(1000)),
    Column("push_key", String(64), unique=True),
    Column("push_secret", String(200)),
    Column("interval_s", Float, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("source_id", ForeignKey("sources.id", ondelete="SET NULL")),
    Column("cursor", Json),
    Column("next_run_at", Time, nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_until", Time),
    Column("health", String(20), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("failing_since", Time),
    Column("last_error", Text),
    Column("last_run_at", Time),
    Column("last_success_at", Time),
    Column("token_expires_at", Time),
    Column("posts", BigInteger, nullable=False),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    UniqueConstraint("brand_id", "name", name="uq_listen_sources_brand_id_name"),
    Index(None, "enabled", "next_run_at"),  # the polls that are due
)
"""What ``confiance listen`` collects for a brand: a platform polled every ``interval_s``
(``mode='poll'``: ``format`` names the client, ``cursor`` says where the last page ended,
``secret_ref`` where the token is read, ``env:NAME`` or ``file:PATH``, never the token itself)
or items pushed to ``/api/v1/listen/push/{push_key}`` (``mode='push'``: signed with HMAC-SHA256
under ``push_secret``). A listener claims a due source by leasing it (``lease_owner`` until
``lease_until``); ``health`` is ``ok``, ``failing``, ``auth`` (token refused), ``config``
(the platform refused the configuration) or ``waiting`` (rate-limited)."""

listen_inbox = Table(
    "listen_inbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("listen_source_id", ForeignKey("listen_sources.id", ondelete="CASCADE"),
           nullable=False),
    Column("digest", String(64), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", Time, nullable=False),
    Column("processed_at", Time),
    Column("lease_owner", String(200)),
    Column("lease_until", Time),
    UniqueConstraint("listen_source_id", "digest", name="uq_listen_inbox_listen_source_id_digest"),
    Index(None, "processed_at", "id"),  # the deliveries still to import
)
"""Pushed deliveries, kept as received until a listener imports them (a delivery sent twice
is stored once); processed rows are pruned after a week."""

listen_feed = Table(
    "listen_feed",
    metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("queued_at", Time, nullable=False),
    Column("enriched_at", Time),
    Column("lease_owner", String(200)),
    Column("lease_until", Time),
    Index(None, "enriched_at", "queued_at"),  # the posts still to enrich
)
"""Posts collected by listening, each at most once ever (the primary key): written in the
transaction that stores the post, enriched by one listener, then handed to the brands' alert
detectors through ``watch_queue`` in the transaction that stores the enrichment."""

watch_queue = Table(
    "watch_queue",
    metadata,
    Column("id", Id, primary_key=True),
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), nullable=False),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("queued_at", Time, nullable=False),
    Index(None, "brand_id", "id"),
)
"""Enriched posts waiting for a brand's detectors; a row is deleted in the transaction that
saves the detectors' state after reading it, so a post is counted once."""

watch_states = Table(
    "watch_states",
    metadata,
    Column("brand_id", ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True),
    Column("state", Json),
    Column("observed", BigInteger, nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_until", Time),
    Column("updated_at", Time, nullable=False),
)
"""A brand's alert detectors (baselines, windows, terms), saved after every step by the one
listener that holds its lease, and restored by whichever listener takes it next."""

listeners = Table(
    "listeners",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("started_at", Time, nullable=False),
    Column("seen_at", Time, nullable=False),
    Column("stats", Json, nullable=False),
)
"""The running ``confiance listen`` processes (a heartbeat every cycle) and what each did."""

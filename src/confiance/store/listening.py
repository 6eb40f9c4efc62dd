"""What continuous listening stores: its sources, their deliveries, and the detectors' feed.

Several ``confiance listen`` processes may run against one PostgreSQL database; they share
the work through leases taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` (on SQLite, which
has one writer at a time, the same statements simply serialise). Every step commits what it
did together with the proof that it did it, so a listener killed at any point leaves work
that the next one completes, and nothing is counted twice:

1. a page polled from a platform (or a pushed delivery) is written with its posts and the
   source's new cursor in one transaction; each new post enters ``listen_feed`` once ever
   (its primary key), whatever source or retry brings it again;
2. a listener leases a slice of the feed, enriches it, and stores the enrichment, marks the
   slice enriched and queues the posts for their brands' detectors (``watch_queue``) in one
   transaction;
3. the one listener that holds a brand's watch lease reads its queue, runs the detectors,
   and saves their state, the alerts they raised, and the deletion of what it read in one
   transaction.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    delete,
    insert,
    or_,
    select,
    tuple_,
    update,
)

from confiance.core.errors import ConfianceError
from confiance.domain import Post, SourceKind
from confiance.domain.records import aware_utc
from confiance.enrich.component import Doc
from confiance.listen.alerts.model import Observation
from confiance.sources.base import Item
from confiance.store import runs
from confiance.store.batches import prepare
from confiance.store.bulk import BulkWriter
from confiance.store.enrichments import _doc
from confiance.store.ingest import quarantine_rejected
from confiance.store.sql import insert_ignoring_conflicts
from confiance.store.tables import (
    authors,
    brand_posts,
    brands,
    enrichments,
    listen_feed,
    listen_inbox,
    listen_sources,
    listeners,
    posts,
    watch_queue,
    watch_states,
)

POLL, PUSH = "poll", "push"
MODES = (POLL, PUSH)
OK, FAILING, AUTH, CONFIG, WAITING = "ok", "failing", "auth", "config", "waiting"
HEALTH = (OK, FAILING, AUTH, CONFIG, WAITING)
MIN_INTERVAL_S, MAX_INTERVAL_S = 10.0, 7 * 86400.0
MAX_NAME = 200
INBOX_KEEP = timedelta(days=7)
FEED_KEEP = timedelta(days=30)
_T = listen_sources.c


@dataclass(frozen=True)
class ListenSource:
    """A listened source as its owners see it (never its token or push secret)."""

    id: int
    brand_id: int
    brand: str
    name: str
    mode: str
    format: str
    config: dict[str, Any]
    secret_ref: str | None
    push_key: str | None
    interval_s: float
    enabled: bool
    source_id: int | None
    cursor: dict[str, Any] | None
    next_run_at: datetime
    health: str
    failures: int
    failing_since: datetime | None
    last_error: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    token_expires_at: datetime | None
    posts: int
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``--json`` and the API (the secret reference is a name, not a
        secret: an environment variable or a file path)."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = value.isoformat() if isinstance(value, datetime) else value
        return out


def _when(value: Any) -> datetime | None:
    return None if value is None else aware_utc(value)


def _source(row: Any) -> ListenSource:
    return ListenSource(
        id=int(row.id), brand_id=int(row.brand_id), brand=row.brand, name=row.name,
        mode=row.mode, format=row.format, config=dict(row.config or {}),
        secret_ref=row.secret_ref, push_key=row.push_key, interval_s=float(row.interval_s),
        enabled=bool(row.enabled), source_id=row.source_id,
        cursor=None if row.cursor is None else dict(row.cursor),
        next_run_at=aware_utc(row.next_run_at), health=row.health,
        failures=int(row.failures), failing_since=_when(row.failing_since),
        last_error=row.last_error, last_run_at=_when(row.last_run_at),
        last_success_at=_when(row.last_success_at),
        token_expires_at=_when(row.token_expires_at), posts=int(row.posts),
        created_at=aware_utc(row.created_at))


def _query() -> Any:
    columns = [c for c in listen_sources.c if c.name != "push_secret"]
    return select(*columns, brands.c.name.label("brand")).join(
        brands, brands.c.id == listen_sources.c.brand_id)


# ---------------------------------------------------------------------------- configuration


def check_secret_ref(ref: str | None) -> str | None:
    """``env:NAME`` or ``file:PATH`` (where a poll reads its token), or E742."""
    if ref is None or ref == "":
        return None
    kind, _, rest = ref.partition(":")
    if kind == "env" and rest and rest.replace("_", "").isalnum():
        return ref
    if kind == "file" and rest:
        return ref
    raise ConfianceError("E742", ref=ref[:100])


def read_secret(ref: str | None) -> str | None:
    """The token a reference points to, read now (so a rotated file is used at the next
    poll); ``None`` when the variable is unset or the file unreadable or empty."""
    if not ref:
        return None
    kind, _, rest = ref.partition(":")
    if kind == "env":
        return os.environ.get(rest) or None
    try:
        value = Path(rest).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def add_source(conn: Connection, *, brand_id: int, name: str, mode: str, format: str,
               config: Mapping[str, Any], interval_s: float, secret_ref: str | None = None,
               now: datetime | None = None) -> tuple[ListenSource, str | None]:
    """A new source for the brand; for a push source also its secret (returned once: the
    caller shows it, it is never shown again). E741 for a name taken, E746 for a bad mode or
    interval."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ConfianceError("E746", detail=f"a name of 1 to {MAX_NAME} characters")
    if mode not in MODES:
        raise ConfianceError("E746", detail=f"mode {mode!r}: use poll or push")
    if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
        raise ConfianceError("E746", detail=f"an interval between {MIN_INTERVAL_S:.0f} s and "
                                            f"{MAX_INTERVAL_S:.0f} s, not {interval_s:g}")
    taken = conn.execute(select(_T.id).where(_T.brand_id == brand_id, _T.name == name)).first()
    if taken is not None:
        raise ConfianceError("E741", name=name)
    moment = now or runs.utcnow()
    sources_id = runs.source_id(conn, kind=SourceKind.API if mode == POLL else SourceKind.WEBHOOK,
                                name=f"listen:{brand_id}:{name}", format=format)
    push_key = secrets.token_urlsafe(24) if mode == PUSH else None
    push_secret = secrets.token_urlsafe(32) if mode == PUSH else None
    result = conn.execute(insert(listen_sources).values(
        brand_id=brand_id, name=name, mode=mode, format=format, config=dict(config),
        secret_ref=check_secret_ref(secret_ref), push_key=push_key, push_secret=push_secret,
        interval_s=float(interval_s), enabled=True, source_id=sources_id, cursor=None,
        next_run_at=moment, health=OK, failures=0, posts=0, created_at=moment,
        updated_at=moment))
    new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return load_source(conn, new_id), push_secret


def load_source(conn: Connection, source_id: int) -> ListenSource:
    """The source with this id (E741 if there is none)."""
    row = conn.execute(_query().where(_T.id == source_id)).first()
    if row is None:
        raise ConfianceError("E743", name=str(source_id))
    return _source(row)


def find_source(conn: Connection, brand_id: int, name: str) -> ListenSource:
    """The brand's source called ``name``, or E743."""
    row = conn.execute(_query().where(_T.brand_id == brand_id, _T.name == name)).first()
    if row is None:
        raise ConfianceError("E743", name=name)
    return _source(row)


def list_sources(conn: Connection, brand_ids: Collection[int] | None = None
                 ) -> list[ListenSource]:
    """Every source (or those of ``brand_ids``), by brand and name."""
    query = _query().order_by(brands.c.name, _T.name)
    if brand_ids is not None:
        query = query.where(_T.brand_id.in_(list(brand_ids)))
    return [_source(row) for row in conn.execute(query)]


def set_enabled(conn: Connection, source_id: int, enabled: bool, *,
                now: datetime | None = None) -> ListenSource:
    """Pause or resume a source; resuming makes it due at once and forgets past failures."""
    moment = now or runs.utcnow()
    values: dict[str, Any] = {"enabled": enabled, "updated_at": moment}
    if enabled:
        values.update(next_run_at=moment, failures=0, failing_since=None, health=OK)
    conn.execute(update(listen_sources).where(_T.id == source_id).values(**values))
    return load_source(conn, source_id)


def rotate_push_secret(conn: Connection, source_id: int) -> str:
    """A new push secret for a push source (the old one stops working at once)."""
    source = load_source(conn, source_id)
    if source.mode != PUSH:
        raise ConfianceError("E746", detail=f"{source.name!r} is polled: only a push source "
                                            "has a secret to rotate")
    secret = secrets.token_urlsafe(32)
    conn.execute(update(listen_sources).where(_T.id == source_id).values(
        push_secret=secret, updated_at=runs.utcnow()))
    return secret


def delete_source(conn: Connection, source_id: int) -> None:
    """Forget a source and its undelivered pushes (its posts stay)."""
    conn.execute(delete(listen_sources).where(_T.id == source_id))


@dataclass(frozen=True)
class PushTarget:
    """What the push endpoint needs to check and store a delivery."""

    id: int
    brand_id: int
    format: str
    secret: str = field(repr=False)
    enabled: bool


def push_target(conn: Connection, push_key: str) -> PushTarget | None:
    """The push source behind ``push_key``, or ``None``."""
    if not push_key or len(push_key) > 64:
        return None
    row = conn.execute(select(_T.id, _T.brand_id, _T.format, _T.push_secret, _T.enabled)
                       .where(_T.push_key == push_key, _T.mode == PUSH)).first()
    if row is None or row.push_secret is None:
        return None
    return PushTarget(id=int(row.id), brand_id=int(row.brand_id), format=row.format,
                      secret=row.push_secret, enabled=bool(row.enabled))


# ---------------------------------------------------------------------------- polling


def claim_poll(conn: Connection, *, owner: str, now: datetime, lease_s: float
               ) -> ListenSource | None:
    """Lease the enabled poll source that has been due longest, if any."""
    due = (select(_T.id)
           .where(_T.enabled.is_(True), _T.mode == POLL, _T.next_run_at <= now,
                  or_(_T.lease_until.is_(None), _T.lease_until < now))
           .order_by(_T.next_run_at, _T.id).limit(1).with_for_update(skip_locked=True))
    found = conn.execute(due).scalar_one_or_none()
    if found is None:
        return None
    taken = conn.execute(update(listen_sources).where(
        _T.id == found, or_(_T.lease_until.is_(None), _T.lease_until < now)
    ).values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s),
             last_run_at=now))
    return load_source(conn, int(found)) if taken.rowcount == 1 else None


def _mine(source_id: int, owner: str) -> Any:
    return and_(_T.id == source_id, _T.lease_owner == owner)


def poll_succeeded(conn: Connection, source_id: int, *, owner: str, cursor: Any,
                   next_run_at: datetime, now: datetime, posts_written: int,
                   token_expires_at: datetime | None = None, waiting: bool = False) -> bool:
    """Store the page's new cursor with the page's posts (same transaction); ``False`` when
    the lease was lost meanwhile (the caller rolls the page back: another listener has it)."""
    values: dict[str, Any] = {
        "next_run_at": next_run_at, "lease_owner": None, "lease_until": None,
        "health": WAITING if waiting else OK, "failures": 0, "failing_since": None,
        "last_error": None, "last_success_at": now, "updated_at": now,
        "posts": _T.posts + posts_written}
    if cursor is not None:
        values["cursor"] = cursor
    if token_expires_at is not None:
        values["token_expires_at"] = token_expires_at
    return conn.execute(update(listen_sources).where(_mine(source_id, owner))
                        .values(**values)).rowcount == 1


def poll_failed(conn: Connection, source_id: int, *, owner: str, health: str, error: str,
                next_run_at: datetime, now: datetime) -> int:
    """Record a failed poll (the error is a sentence without secrets); returns the failures
    in a row so far (0 when the lease was lost). A rate-limited wait is not a failure."""
    counts = health != WAITING
    values: dict[str, Any] = {
        "next_run_at": next_run_at, "lease_owner": None, "lease_until": None,
        "health": health, "last_error": error[:2000], "updated_at": now}
    if counts:
        values["failures"] = _T.failures + 1
    result = conn.execute(update(listen_sources).where(_mine(source_id, owner)).values(**values))
    if result.rowcount != 1:
        return 0
    row = conn.execute(select(_T.failures, _T.failing_since).where(_T.id == source_id)).one()
    if counts and row.failing_since is None:
        conn.execute(update(listen_sources).where(_T.id == source_id)
                     .values(failing_since=now))
    return int(row.failures)


@dataclass
class Written:
    """What writing one page or delivery did."""

    inserted: int = 0
    updated: int = 0
    quarantined: int = 0
    queued: int = 0
    """Posts that entered the listening feed (new to listening)."""


def write_items(conn: Connection, writer: BulkWriter, items: Iterable[Item], *,
                source_id: int | None, brand_id: int, now: datetime) -> Written:
    """Write a page of items in the caller's transaction: posts upserted and attached to the
    brand, rejections quarantined, and the posts new to listening queued for enrichment."""
    listed = list(items)
    keys = list(dict.fromkeys((item.platform._value_, item.platform_id)
                              for item in listed if isinstance(item, Post)))
    written = Written()
    for batch in prepare(listed, writer, source_id=source_id or 0, batch_size=len(listed) + 1):
        if batch.size:
            inserted, updated = writer.write(conn, batch.packed, brand_id)
            written.inserted += inserted
            written.updated += updated
        if batch.rejected and source_id is not None:
            quarantine_rejected(conn, batch.rejected, source_id, None)
        written.quarantined += len(batch.rejected)
    if not keys:
        return written
    ids: list[int] = []
    for start in range(0, len(keys), 400):
        chunk = keys[start:start + 400]
        ids.extend(int(i) for i in conn.execute(select(posts.c.id).where(
            tuple_(posts.c.platform, posts.c.platform_id).in_(chunk))).scalars())
    written.queued = _insert_new(conn, listen_feed, [
        {"post_id": post_id, "queued_at": now} for post_id in ids])
    return written


def _insert_new(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING``; the rows actually inserted."""
    if not rows:
        return 0
    key = next(iter(table.primary_key.columns))
    total = 0
    for start in range(0, len(rows), 200):  # a multi-row VALUES; RETURNING says what was new
        chunk = [dict(row) for row in rows[start:start + 200]]
        statement = insert_ignoring_conflicts(conn, table).values(chunk)
        total += len(conn.execute(statement.returning(key)).all())
    return total


# ---------------------------------------------------------------------------- pushes


def store_push(conn: Connection, listen_source_id: int, body: bytes, *, now: datetime
               ) -> tuple[int | None, bool]:
    """Keep a pushed delivery until a listener imports it: (its id, whether it is new; a
    delivery sent again is stored once)."""
    digest = hashlib.sha256(body).hexdigest()
    inserted = _insert_new(conn, listen_inbox, [{
        "listen_source_id": listen_source_id, "digest": digest, "body": body,
        "received_at": now}])
    found = conn.execute(select(listen_inbox.c.id).where(
        listen_inbox.c.listen_source_id == listen_source_id,
        listen_inbox.c.digest == digest)).scalar_one_or_none()
    return (None if found is None else int(found)), inserted == 1


@dataclass(frozen=True)
class Delivery:
    """A pushed delivery, leased for import."""

    id: int
    listen_source_id: int
    brand_id: int
    format: str
    source_id: int | None
    body: bytes = field(repr=False)


def claim_pushes(conn: Connection, *, owner: str, now: datetime, lease_s: float,
                 limit: int = 20) -> list[Delivery]:
    """Lease up to ``limit`` deliveries not yet imported, oldest first."""
    box = listen_inbox.c
    due = (select(box.id).where(box.processed_at.is_(None),
                                or_(box.lease_until.is_(None), box.lease_until < now))
           .order_by(box.id).limit(limit).with_for_update(skip_locked=True))
    ids = [int(i) for i in conn.execute(due).scalars()]
    if not ids:
        return []
    conn.execute(update(listen_inbox).where(
        box.id.in_(ids), box.processed_at.is_(None),
        or_(box.lease_until.is_(None), box.lease_until < now)
    ).values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s)))
    rows = conn.execute(
        select(box.id, box.listen_source_id, box.body, _T.brand_id, _T.format, _T.source_id)
        .join(listen_sources, _T.id == box.listen_source_id)
        .where(box.id.in_(ids), box.lease_owner == owner).order_by(box.id))
    return [Delivery(id=int(r.id), listen_source_id=int(r.listen_source_id),
                     brand_id=int(r.brand_id), format=r.format, source_id=r.source_id,
                     body=bytes(r.body)) for r in rows]


def push_done(conn: Connection, delivery: Delivery, *, owner: str, now: datetime,
              written: Written) -> bool:
    """Mark a delivery imported (with its posts, same transaction); ``False`` if the lease
    was lost."""
    box = listen_inbox.c
    done = conn.execute(update(listen_inbox).where(
        box.id == delivery.id, box.lease_owner == owner, box.processed_at.is_(None)
    ).values(processed_at=now, lease_owner=None, lease_until=None)).rowcount == 1
    if done:
        conn.execute(update(listen_sources).where(_T.id == delivery.listen_source_id).values(
            posts=_T.posts + written.inserted + written.updated, last_success_at=now,
            last_run_at=now))
    return done


# ---------------------------------------------------------------------------- enrichment


def claim_feed(conn: Connection, *, owner: str, now: datetime, lease_s: float,
               limit: int) -> list[tuple[int, Doc]]:
    """Lease up to ``limit`` collected posts not yet enriched, as (post id, doc)."""
    feed = listen_feed.c
    due = (select(feed.post_id).where(feed.enriched_at.is_(None),
                                      or_(feed.lease_until.is_(None), feed.lease_until < now))
           .order_by(feed.queued_at, feed.post_id).limit(limit)
           .with_for_update(skip_locked=True))
    ids = [int(i) for i in conn.execute(due).scalars()]
    if not ids:
        return []
    # The lease is checked again: without row locks (SQLite) another listener may have
    # taken some of these rows between the read and this write.
    mine = [int(i) for i in conn.execute(
        update(listen_feed)
        .where(feed.post_id.in_(ids), feed.enriched_at.is_(None),
               or_(feed.lease_until.is_(None), feed.lease_until < now))
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
        .returning(feed.post_id)).scalars()]
    if not mine:
        return []
    rows = conn.execute(select(posts.c.id, posts.c.platform, posts.c.platform_id,
                               posts.c.kind, posts.c.text, posts.c.title, posts.c.language,
                               posts.c.hashtags, posts.c.mentions)
                        .where(posts.c.id.in_(mine)).order_by(posts.c.id))
    return [(int(row.id), _doc(row)) for row in rows]


def feed_enriched(conn: Connection, post_ids: Sequence[int], *, owner: str, now: datetime
                  ) -> int:
    """Mark leased posts enriched (with their enrichment, same transaction) and queue each
    for the detectors of every brand it belongs to; returns the rows queued."""
    if not post_ids:
        return 0
    feed = listen_feed.c
    done = [int(i) for i in conn.execute(
        update(listen_feed)
        .where(feed.post_id.in_(list(post_ids)), feed.lease_owner == owner,
               feed.enriched_at.is_(None))
        .values(enriched_at=now, lease_owner=None, lease_until=None)
        .returning(feed.post_id)).scalars()]
    if not done:
        return 0
    pairs = conn.execute(select(brand_posts.c.brand_id, brand_posts.c.post_id)
                         .where(brand_posts.c.post_id.in_(done))
                         .order_by(brand_posts.c.post_id, brand_posts.c.brand_id)).all()
    if pairs:
        conn.execute(insert(watch_queue), [
            {"brand_id": int(b), "post_id": int(p), "queued_at": now} for b, p in pairs])
    return len(pairs)


# ---------------------------------------------------------------------------- detectors


def watched_brands(conn: Connection) -> dict[int, bool]:
    """Brands with posts waiting for their detectors or with a listened source: brand id ->
    whether posts are waiting."""
    queued = {int(b) for b in conn.execute(select(watch_queue.c.brand_id).distinct()).scalars()}
    listened = {int(b) for b in conn.execute(select(_T.brand_id).distinct()).scalars()}
    return {brand_id: brand_id in queued for brand_id in sorted(queued | listened)}


def claim_watch(conn: Connection, brand_id: int, *, owner: str, now: datetime,
                lease_s: float) -> tuple[bool, dict[str, Any] | None]:
    """Take or renew the brand's watch lease: (whether this listener holds it, the saved
    detector state to start from when it was just taken)."""
    w = watch_states.c
    _insert_new(conn, watch_states, [{"brand_id": brand_id, "state": None, "observed": 0,
                                      "updated_at": now}])
    until = now + timedelta(seconds=lease_s)
    renewed = conn.execute(update(watch_states).where(
        w.brand_id == brand_id, w.lease_owner == owner).values(lease_until=until)).rowcount
    if renewed:
        return True, None
    taken = conn.execute(update(watch_states).where(
        w.brand_id == brand_id, or_(w.lease_until.is_(None), w.lease_until < now)
    ).values(lease_owner=owner, lease_until=until)).rowcount
    if not taken:
        return False, None
    state = conn.execute(select(w.state).where(w.brand_id == brand_id)).scalar_one()
    return True, ({} if state is None else dict(state))


def release_watch(conn: Connection, brand_id: int, *, owner: str) -> None:
    """Give the lease back (a listener that stops)."""
    w = watch_states.c
    conn.execute(update(watch_states).where(w.brand_id == brand_id, w.lease_owner == owner)
                 .values(lease_owner=None, lease_until=None))


def queued_observations(conn: Connection, brand_id: int, *, limit: int
                        ) -> list[tuple[int, Observation]]:
    """Up to ``limit`` queued posts of the brand, as (queue id, observation), in queue order."""
    q = watch_queue.c
    rows = conn.execute(
        select(q.id.label("queue_id"), posts.c.id, posts.c.platform, posts.c.platform_id,
               posts.c.text, posts.c.title, posts.c.hashtags, posts.c.created_at,
               posts.c.imported_at, posts.c.likes, posts.c.comments, posts.c.shares,
               posts.c.url, posts.c.author_id, authors.c.handle, authors.c.followers,
               enrichments.c.sentiment, enrichments.c.topics)
        .join(posts, posts.c.id == q.post_id)
        .outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
        .outerjoin(authors, and_(authors.c.platform == posts.c.platform,
                                 authors.c.platform_id == posts.c.author_id))
        .where(q.brand_id == brand_id).order_by(q.id).limit(limit)).all()
    found = []
    for row in rows:
        created = row.created_at if row.created_at is not None else row.imported_at
        found.append((int(row.queue_id), Observation(
            key=f"{row.platform}:{row.platform_id}", at=aware_utc(created).timestamp(),
            platform=row.platform, sentiment=row.sentiment,
            text=" ".join(filter(None, (row.title, row.text))),
            hashtags=tuple(row.hashtags or ()), topics=tuple(row.topics or ()),
            author=row.handle or row.author_id, followers=row.followers,
            engagement=(row.likes or 0) + (row.comments or 0) + (row.shares or 0),
            url=row.url, post_id=int(row.id))))
    return found


def save_watch(conn: Connection, brand_id: int, *, owner: str, state: Mapping[str, Any],
               consumed: Sequence[int], now: datetime) -> bool:
    """Save the detectors' state and delete the queue rows they read, if this listener still
    holds the lease (else ``False``: the caller rolls back and drops its copy)."""
    w = watch_states.c
    saved = conn.execute(update(watch_states).where(
        w.brand_id == brand_id, w.lease_owner == owner
    ).values(state=dict(state), observed=w.observed + len(consumed), updated_at=now)).rowcount
    if saved != 1:
        return False
    for start in range(0, len(consumed), 1000):
        conn.execute(delete(watch_queue).where(watch_queue.c.id.in_(
            list(consumed[start:start + 1000]))))
    return True


# ---------------------------------------------------------------------------- housekeeping


def heartbeat(conn: Connection, name: str, *, started_at: datetime, now: datetime,
              stats: Mapping[str, Any]) -> None:
    """Record that the listener ``name`` is alive and what it did so far."""
    updated = conn.execute(update(listeners).where(listeners.c.name == name).values(
        seen_at=now, stats=dict(stats), started_at=started_at)).rowcount
    if not updated:
        _insert_new(conn, listeners, [{"name": name, "started_at": started_at, "seen_at": now,
                                       "stats": dict(stats)}])


def prune(conn: Connection, *, now: datetime) -> int:
    """Drop imported deliveries after a week and the feed's memory of posts enriched more
    than 30 days ago (a cursor never brings those back); returns the rows removed."""
    removed = conn.execute(delete(listen_inbox).where(
        listen_inbox.c.processed_at < now - INBOX_KEEP)).rowcount
    removed += conn.execute(delete(listen_feed).where(
        listen_feed.c.enriched_at < now - FEED_KEEP)).rowcount
    return int(removed)

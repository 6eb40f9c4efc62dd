"""What listeners do with the sources of :mod:`confiance.store.listening`: polls, pushed
deliveries, the enrichment feed and the detectors' queues, each under a lease.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, or_, select, tuple_, update

from confiance.domain import Post
from confiance.domain.records import aware_utc
from confiance.enrich.component import Doc
from confiance.listen.alerts.model import Observation
from confiance.sources.base import Item
from confiance.store.batches import prepare
from confiance.store.bulk import BulkWriter
from confiance.store.enrichments import _doc
from confiance.store.ingest import quarantine_rejected
from confiance.store.listening import OK, POLL, WAITING, ListenSource, load_source
from confiance.store.sql import insert_ignoring_conflicts
from confiance.store.tables import (
    authors,
    brand_posts,
    enrichments,
    listen_feed,
    listen_inbox,
    listen_sources,
    listeners,
    posts,
    watch_queue,
    watch_states,
)

_T = listen_sources.c
INBOX_KEEP = timedelta(days=7)
FEED_KEEP = timedelta(days=30)


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

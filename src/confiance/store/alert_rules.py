"""Alert rules: who hears about a brand's alerts, about which ones, how and when.

A rule narrows the alerts it covers by detector and scope (``None``: all) and by a minimum
severity; its channels say where messages go (``email``, ``webhook``, ``app`` or a kind a
plugin adds) and whether a channel takes one message per alert or one daily digest. Quiet
hours (two ``HH:MM`` local times in the rule's time zone, ``22:00``-``07:00`` crossing
midnight) defer messages to the end of the quiet period, except those about an alert of
severity 5 (act now), which go out at once. Every value is validated here, with a numbered
error that says what to write instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.engine import Row

from confiance.core.errors import ConfianceError
from confiance.domain import Platform
from confiance.domain.records import aware_utc
from confiance.listen.alerts.config import WORD_LISTS, DetectorConfig
from confiance.listen.alerts.model import ALL_SCOPE, Detector
from confiance.store import audit
from confiance.store.tables import alert_notifications, alert_rules, brands, users

BUILTIN_KINDS = ("email", "webhook", "app")
"""The channel kinds Confiance ships; plugins may add others (pass them as ``kinds``)."""
LANGUAGES = ("fr", "en")
"""Languages a channel's messages can be written in; French first."""
URGENT = 5
"""Severity from which a message ignores quiet hours."""
MAX_CHANNELS = 20
MAX_PARAMS = 50
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts a webhook may reach over plain http:// (a receiver on the same machine)."""
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)", re.ASCII)
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*", re.ASCII)
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)+",
    re.ASCII,
)
_PARAM = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)
_CHANNEL_KEYS = frozenset({"kind", "target", "digest", "language"})
Instant = datetime | float
Param = float | list[str]
"""A rule's detector setting: a number, or a list of words (``extra_risk_terms``...)."""
"""A moment: an aware ``datetime`` (a naive one is UTC) or UTC epoch seconds."""

_FIELDS = (
    "detector",
    "scope",
    "enabled",
    "min_severity",
    "params",
    "quiet_start",
    "quiet_end",
    "timezone",
    "channels",
)


def at(value: Instant) -> datetime:
    """``value`` as an aware UTC ``datetime``."""
    if isinstance(value, datetime):
        return aware_utc(value)
    return datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class Channel:
    """One destination of a rule: a kind, its target, one message per alert or a digest."""

    kind: str
    target: str
    digest: bool = False
    language: str = "fr"

    def as_dict(self) -> dict[str, Any]:
        """The channel as stored in ``alert_rules.channels``."""
        return {
            "kind": self.kind,
            "target": self.target,
            "digest": self.digest,
            "language": self.language,
        }


@dataclass(frozen=True)
class Rule:
    """An alert rule as stored (validated)."""

    id: int
    brand_id: int
    detector: str | None
    scope: str | None
    enabled: bool
    min_severity: int
    params: dict[str, Param]
    quiet_start: str | None
    quiet_end: str | None
    timezone: str | None
    channels: tuple[Channel, ...]
    created_at: datetime
    updated_at: datetime = field(compare=False)

    @property
    def zone(self) -> ZoneInfo:
        """The rule's time zone (UTC when it names none)."""
        return ZoneInfo(self.timezone or "UTC")

    def covers(self, detector: str, scope: str, severity: int) -> bool:
        """Whether an alert of this detector, scope and severity notifies under this rule."""
        return (
            self.enabled
            and severity >= self.min_severity
            and self.detector in (None, detector)
            and self.scope in (None, scope)
        )

    def quiet_until(self, now: datetime) -> datetime | None:
        """The end of the quiet period ``now`` falls in (UTC), or ``None`` outside one."""
        if self.quiet_start is None or self.quiet_end is None:
            return None
        local = aware_utc(now).astimezone(self.zone)
        start, end = _clock(self.quiet_start), _clock(self.quiet_end)
        moment = local.time().replace(tzinfo=None)
        inside = (start <= moment < end) if start < end else (moment >= start or moment < end)
        if not inside:
            return None
        day = local.date() if moment < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=self.zone).astimezone(UTC)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _quiet(start: Any, end: Any) -> tuple[str | None, str | None]:
    if start is None and end is None:
        return None, None
    shown = f"{start}-{end}"
    if start is None or end is None:
        raise ConfianceError("E713", value=shown, reason="give both a start and an end")
    found = []
    for value in (start, end):
        match = _HHMM.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ConfianceError("E713", value=shown, reason=f"{value!r} is not HH:MM")
        found.append(f"{int(match.group(1)):02d}:{match.group(2)}")
    if found[0] == found[1]:
        raise ConfianceError("E713", value=shown, reason="the start and the end are the same")
    return found[0], found[1]


def _zone(name: Any) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or len(name) > 64 or not _ZONE.fullmatch(name):
        raise ConfianceError("E714", name=name)
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ConfianceError("E714", name=name) from None
    return name


def _webhook(target: str) -> str:
    if len(target) > 2000 or any(ch.isspace() or ord(ch) < 32 for ch in target):
        raise ConfianceError("E717", reason="it is longer than 2,000 characters or has spaces")
    try:
        parts = urlsplit(target)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfianceError("E717", reason="it is not a URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfianceError("E717", reason="it is not an http(s):// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ConfianceError("E717", reason="put no user name or password in the URL")
    if parts.scheme == "http" and host not in LOOPBACK:
        raise ConfianceError("E717", reason="plain http:// is only for this machine")
    return target


def _target(kind: str, target: Any) -> str:
    if kind == "app":  # the alert itself is the in-app notification: no address, none kept
        return ""
    if not isinstance(target, str):
        raise ConfianceError("E718", reason=f"the {kind} channel needs a target (text)")
    if kind == "email":
        address = target.strip()
        if len(address) > 254 or not _EMAIL.fullmatch(address):
            raise ConfianceError("E716", target=target[:80])
        return address
    if kind == "webhook":
        return _webhook(target.strip())
    if len(target) > 2000:
        raise ConfianceError("E718", reason="the target is longer than 2,000 characters")
    return target


def _channel(raw: Any, kinds: Collection[str]) -> Channel:
    if not isinstance(raw, Mapping):
        raise ConfianceError("E718", reason="a channel is an object")
    extra = sorted(str(key) for key in raw if key not in _CHANNEL_KEYS)
    if extra:
        raise ConfianceError("E718", reason=f"unknown key(s) {', '.join(extra)[:80]}")
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        raise ConfianceError("E715", kind=kind, known=", ".join(sorted(kinds)))
    digest = raw.get("digest", False)
    if not isinstance(digest, bool):
        raise ConfianceError("E718", reason="digest is true or false")
    language = raw.get("language", "fr")
    if language not in LANGUAGES:
        raise ConfianceError("E718", reason=f"language is one of {', '.join(LANGUAGES)}")
    return Channel(
        kind=kind, target=_target(kind, raw.get("target")), digest=digest, language=str(language)
    )


def _channels(raw: Any, kinds: Collection[str]) -> tuple[Channel, ...]:
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence):
        raise ConfianceError("E718", reason="channels is a list of objects")
    if not 1 <= len(raw) <= MAX_CHANNELS:
        raise ConfianceError("E718", reason=f"give 1 to {MAX_CHANNELS} channels")
    found = tuple(_channel(item, kinds) for item in raw)
    if len({(c.kind, c.target) for c in found}) < len(found):
        raise ConfianceError("E718", reason="the same kind and target appear twice")
    return found


def _detector(value: Any) -> str | None:
    known = [d.value for d in Detector]
    if value is None:
        return None
    if not isinstance(value, str) or value not in known:
        raise ConfianceError("E720", name=value, known=", ".join(known))
    return value


def _scope(value: Any) -> str | None:
    if value is None:
        return None
    if value == ALL_SCOPE:
        return ALL_SCOPE
    platforms = {p.value for p in Platform}
    if (
        not isinstance(value, str)
        or not value.startswith("platform:")
        or value.removeprefix("platform:") not in platforms
    ):
        raise ConfianceError("E721", scope=value)
    return value


def _severity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= URGENT:
        raise ConfianceError("E719", value=value)
    return value


def check_params(value: Any) -> dict[str, Param]:
    """Detector settings as a rule's ``params`` take them (numbers, or lists of words for
    the risk terms), checked against the detectors' names and ranges; E722 otherwise."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfianceError("E722", reason="it is not an object")
    if len(value) > MAX_PARAMS:
        raise ConfianceError("E722", reason=f"give at most {MAX_PARAMS} parameters")
    found: dict[str, Param] = {}
    for key, given in value.items():
        if not isinstance(key, str) or not _PARAM.fullmatch(key):
            raise ConfianceError("E722", reason=f"{str(key)[:40]!r} is not a parameter name")
        if key in WORD_LISTS:
            if not isinstance(given, list | tuple) or not all(isinstance(w, str) for w in given):
                raise ConfianceError("E722", reason=f"{key} is not a list of words")
            found[key] = [str(word) for word in given]
            continue
        if isinstance(given, bool) or not isinstance(given, int | float) \
                or not math.isfinite(given):
            raise ConfianceError("E722", reason=f"{key} is not a finite number")
        found[key] = given
    try:  # the names and ranges of the detectors' settings
        config = DetectorConfig().with_overrides(found)
    except ConfianceError as error:
        raise ConfianceError("E722", reason=error.message.rstrip(".")) from None
    unknown = config.unknown_ignored_terms()
    if unknown:
        raise ConfianceError("E722", reason=f"{unknown[0][:80]!r} is not one of the risk terms "
                             "(ignore an entry as it is listed, such as toxi* or greenwashing)")
    return found


def validate(
    values: Mapping[str, Any], *, kinds: Collection[str] = BUILTIN_KINDS
) -> dict[str, Any]:
    """The rule's column values, checked and normalised; E713-E722 on the first mistake."""
    quiet_start, quiet_end = _quiet(values.get("quiet_start"), values.get("quiet_end"))
    timezone = _zone(values.get("timezone"))
    enabled = values.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfianceError("E718", reason="enabled is true or false")
    return {
        "detector": _detector(values.get("detector")),
        "scope": _scope(values.get("scope")),
        "enabled": enabled,
        "min_severity": _severity(values.get("min_severity", 1)),
        "params": check_params(values.get("params")),
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "timezone": timezone if timezone or quiet_start is None else "UTC",
        "channels": [c.as_dict() for c in _channels(values.get("channels"), kinds)],
    }


def _rule(row: Row[Any]) -> Rule:
    return Rule(
        id=int(row.id),
        brand_id=int(row.brand_id),
        detector=row.detector,
        scope=row.scope,
        enabled=bool(row.enabled),
        min_severity=int(row.min_severity),
        params=dict(row.params or {}),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        timezone=row.timezone,
        channels=tuple(
            Channel(
                kind=c["kind"],
                target=c["target"],
                digest=bool(c.get("digest", False)),
                language=c.get("language", "fr"),
            )
            for c in row.channels
        ),
        created_at=aware_utc(row.created_at),
        updated_at=aware_utc(row.updated_at),
    )


def _audit(
    conn: Connection,
    action: str,
    brand_id: int,
    rule_id: int,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    if user_id is None:
        return
    workspace_id = conn.execute(
        select(brands.c.workspace_id).where(brands.c.id == brand_id)
    ).scalar_one_or_none()
    audit.record(
        conn,
        action,
        user_id=user_id,
        actor=_actor(conn, user_id),
        workspace_id=workspace_id,
        target=f"alert_rule:{rule_id}",
        details=details,
    )


def _actor(conn: Connection, user_id: int) -> str | None:
    found = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one_or_none()
    return None if found is None else str(found)


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What an audit entry keeps of a change: the names of the fields that changed, never
    their values (a webhook URL can hold a token)."""
    names = [name for name in _FIELDS if before.get(name) != after.get(name)]
    return {"changed": names}


def add_rule(
    conn: Connection,
    brand_id: int,
    *,
    channels: Sequence[Mapping[str, Any]],
    detector: str | None = None,
    scope: str | None = None,
    enabled: bool = True,
    min_severity: int = 1,
    params: Mapping[str, Param] | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
    timezone: str | None = None,
    kinds: Collection[str] = BUILTIN_KINDS,
    user_id: int | None = None,
    now: Instant | None = None,
) -> Rule:
    """Create a rule for the brand (validated: E713-E722); audited when ``user_id`` acts."""
    values = validate(
        {
            "channels": channels,
            "detector": detector,
            "scope": scope,
            "enabled": enabled,
            "min_severity": min_severity,
            "params": params,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "timezone": timezone,
        },
        kinds=kinds,
    )
    moment = at(now) if now is not None else datetime.now(UTC)
    result = conn.execute(
        insert(alert_rules).values(
            brand_id=brand_id, created_at=moment, updated_at=moment, **values
        )
    )
    rule_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    _audit(
        conn,
        "alert_rule.add",
        brand_id,
        rule_id,
        user_id,
        {"kinds": sorted({c["kind"] for c in values["channels"]})},
    )
    return get_rule(conn, brand_id, rule_id)


def get_rule(conn: Connection, brand_id: int, rule_id: int) -> Rule:
    """The brand's rule ``rule_id``; E712 if the brand has no such rule."""
    row = conn.execute(
        select(alert_rules).where(alert_rules.c.id == rule_id, alert_rules.c.brand_id == brand_id)
    ).first()
    if row is None:
        raise ConfianceError("E712", ref=rule_id)
    return _rule(row)


def list_rules(conn: Connection, brand_id: int, *, enabled_only: bool = False) -> list[Rule]:
    """The brand's rules, oldest first."""
    query = _ENABLED_RULES if enabled_only else _RULES
    return [_rule(row) for row in conn.execute(query, {"b_brand": brand_id})]


# Built once: every listening step reads the brand's enabled rules.
_RULES = (select(alert_rules).where(alert_rules.c.brand_id == bindparam("b_brand"))
          .order_by(alert_rules.c.id))
_ENABLED_RULES = _RULES.where(alert_rules.c.enabled.is_(True))


def update_rule(
    conn: Connection,
    brand_id: int,
    rule_id: int,
    *,
    kinds: Collection[str] = BUILTIN_KINDS,
    user_id: int | None = None,
    now: Instant | None = None,
    **changes: Any,
) -> Rule:
    """Change some fields of the brand's rule (the result is validated as a whole); E712 if
    the brand has no such rule, E713-E722 if the result is not valid (nothing changes)."""
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise TypeError(f"update_rule() got unknown fields {unknown}")
    current = get_rule(conn, brand_id, rule_id)
    before = {name: getattr(current, name) for name in _FIELDS if name != "channels"}
    before["channels"] = [c.as_dict() for c in current.channels]
    values = validate({**before, **changes}, kinds=kinds)
    moment = at(now) if now is not None else datetime.now(UTC)
    conn.execute(
        update(alert_rules).where(alert_rules.c.id == rule_id).values(updated_at=moment, **values)
    )
    _audit(conn, "alert_rule.update", brand_id, rule_id, user_id, _changed(before, values))
    return get_rule(conn, brand_id, rule_id)


def delete_rule(
    conn: Connection, brand_id: int, rule_id: int, *, user_id: int | None = None
) -> None:
    """Delete the brand's rule and the messages it still had to send (pending or deferred);
    E712 if the brand has no such rule. Messages already sent stay in the outbox."""
    get_rule(conn, brand_id, rule_id)
    conn.execute(
        delete(alert_notifications).where(
            alert_notifications.c.rule_id == rule_id,
            alert_notifications.c.status.in_(("pending", "deferred")),
        )
    )
    conn.execute(delete(alert_rules).where(alert_rules.c.id == rule_id))
    _audit(conn, "alert_rule.delete", brand_id, rule_id, user_id)

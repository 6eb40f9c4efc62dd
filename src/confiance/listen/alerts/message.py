"""Alert messages: what an analyst reads in an e-mail, a chat channel or a webhook receiver.

A message is rendered from the alert as it is when the message is sent (so a message that
waited through quiet hours shows the latest figures), in French (the default) or English:
the brand, the detector in words, the severity, the window, what was observed against what
was expected, the top terms, the posts that drove it (excerpt, author, followers, link) and
the most active authors, so that nobody has to open anything else to judge it. The HTML
body escapes every value, and links only ``http(s)://`` addresses.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent

from confiance.listen.alerts import wording
from confiance.store.alert_digests import Digest
from confiance.store.alerts import Alert

DIGEST_LIMIT = 50
"""Alerts listed in one digest; the others are counted."""
SUBJECT_LIMIT = 200


@dataclass(frozen=True)
class AlertMessage:
    """One message, ready for any channel: a subject line, plain text and HTML bodies, and
    the facts as JSON-ready data (for webhooks)."""

    event: str
    """``opened``, ``escalated``, ``resolved`` or ``digest``."""
    target: str
    """The channel's target: an e-mail address, a webhook URL (``""`` for the app)."""
    language: str
    subject: str
    text: str
    html: str
    facts: dict[str, Any] = field(default_factory=dict)
    alert_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Post:
    head: str
    excerpt: str
    url: str | None


def _zone(timezone: str | None) -> ZoneInfo:
    return ZoneInfo(timezone or "UTC")


def _words(language: str) -> Mapping[str, str]:
    return wording.WORDS.get(language, wording.WORDS["fr"])


def _num(value: float, language: str) -> str:
    if not math.isfinite(value) or abs(value) >= 1e15:  # beyond what Babel's quantize takes
        return f"{value:.3g}"
    return str(format_decimal(value, format="#,##0.#", locale=wording.LOCALES[language]))


def _pct(value: float, language: str) -> str:
    if not math.isfinite(value) or abs(value) >= 1e13:
        return f"{value * 100:.3g} %"
    return str(format_percent(value, format="#,##0.#%", locale=wording.LOCALES[language]))


def _time(value: datetime | float, language: str, zone: ZoneInfo) -> str:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
        return moment.astimezone(zone).strftime(wording.TIME_FORMAT[language])
    except (OverflowError, OSError, ValueError):  # a time no calendar holds
        return "?"


def _count(value: Any) -> float:
    """A count read from stored evidence (0 when it is not a number)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _link(url: Any) -> str | None:
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def one_line(value: str, limit: int = SUBJECT_LIMIT) -> str:
    """``value`` on one line (no CR, LF or other control character), at most ``limit``."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def detector_words(alert: Alert, language: str) -> str:
    """The detector in words, with the scope and (for a term) the subject."""
    words = _words(language)
    name = wording.DETECTORS[language].get(alert.detector, alert.detector)
    if alert.scope == "all":
        scope = words["all_platforms"]
    else:
        scope = alert.scope.removeprefix("platform:")
    subject = ""
    if alert.detector in ("emerging_term", "risk_term") and alert.subject:
        subject = " " + words["quote"].format(one_line(alert.subject, 80))
    if alert.detector == "source_health":
        scope = alert.scope.removeprefix("source:")
        trouble = wording.SOURCE_TROUBLES[language].get(alert.subject or "", alert.subject)
        subject = f" {trouble}" if trouble else ""
        return f"{name} « {one_line(scope, 80)} »{subject}" if language == "fr" else \
            f"{name} “{one_line(scope, 80)}”{subject}"
    return f"{name}{subject} ({scope})"


def _observed(alert: Alert, language: str) -> str:
    words = _words(language)
    if alert.unit == "share":
        observed, expected = _pct(alert.observed, language), _pct(alert.expected, language)
    else:
        unit = wording.UNITS[language].get(alert.unit, alert.unit)
        observed = f"{_num(alert.observed, language)} {unit}"
        expected = _num(alert.expected, language)
    line = words["observed_line"].format(observed=observed, expected=expected)
    if alert.expected > 0:
        line += f" (× {_num(alert.observed / alert.expected, language)})"
    return line


def _status(alert: Alert, language: str, zone: ZoneInfo) -> str:
    words = _words(language)
    status = wording.STATUSES[language].get(alert.status, alert.status)
    if alert.status == "acknowledged" and alert.acknowledged_at is not None:
        status += " " + words["by_on"].format(
            who=alert.acknowledged_by or "?", when=_time(alert.acknowledged_at, language, zone)
        )
    elif alert.status == "resolved" and alert.resolved_at is not None:
        who = words["system"] if alert.resolved_by == "system" else alert.resolved_by or "?"
        status += " " + words["by_on"].format(
            who=who, when=_time(alert.resolved_at, language, zone)
        )
    fired = words["fired"].format(
        count=_num(alert.firings, language), since=_time(alert.first_seen, language, zone)
    )
    return f"{status} · {fired}"


def _summary(alert: Alert, language: str, zone: ZoneInfo) -> list[tuple[str, str]]:
    words = _words(language)
    severity = wording.SEVERITIES[language].get(alert.severity, "")
    window = (
        f"{_time(alert.window_start, language, zone)} → "
        f"{_time(alert.window_end, language, zone)} ({zone.key})"
    )
    rows = [
        (words["brand"], alert.brand),
        (words["severity"], f"{alert.severity}/5 ({severity})"),
        (words["detector"], detector_words(alert, language)),
        (words["window"], window),
        (words["observed"], _observed(alert, language)),
        (words["status"], _status(alert, language, zone)),
    ]
    if alert.max_severity > alert.severity:
        rows.insert(2, (words["max_severity"], f"{alert.max_severity}/5"))
    if alert.resolution_note:
        rows.append((words["note"], alert.resolution_note))
    return rows


def _pairs(items: Any, language: str, unit: str | None = None) -> str:
    parts = []
    for item in items or []:
        if isinstance(item, Sequence) and len(item) == 2:
            count = _num(_count(item[1]), language)
            parts.append(f"{item[0]} ({count}{' ' + unit if unit else ''})")
    return ", ".join(parts)


def _post(item: Mapping[str, Any], language: str, zone: ZoneInfo) -> _Post:
    words = _words(language)
    head = [str(item.get("author") or words["unknown_author"])]
    if item.get("followers") is not None:
        head.append(f"{_num(_count(item['followers']), language)} {words['followers']}")
    head.append(str(item.get("platform") or ""))
    sentiment = item.get("sentiment")
    if sentiment:
        head.append(wording.SENTIMENTS[language].get(sentiment, str(sentiment)))
    head.append(f"{_num(_count(item.get('engagement')), language)} {words['engagement']}")
    if isinstance(item.get("at"), int | float):
        head.append(_time(float(item["at"]), language, zone))
    excerpt = one_line(str(item.get("excerpt") or ""), 300)
    return _Post(
        " · ".join(p for p in head if p), words["quote"].format(excerpt), _link(item.get("url"))
    )


def _sections(alert: Alert, language: str, zone: ZoneInfo) -> dict[str, Any]:
    evidence = alert.evidence
    details = evidence.get("details") or {}
    return {
        "terms": _pairs(evidence.get("top_terms"), language),
        "posts": [
            _post(p, language, zone)
            for p in evidence.get("top_posts") or []
            if isinstance(p, Mapping)
        ],
        "authors": _pairs(evidence.get("top_authors"), language, _words(language)["posts_unit"]),
        "details": " ; ".join(
            f"{name} = {_num(float(value), language)}"
            for name, value in sorted(details.items())
            if isinstance(value, int | float)
        ),
    }


def _text(
    headline: str,
    rows: list[tuple[str, str]],
    parts: Mapping[str, Any],
    words: Mapping[str, str],
    footer: str,
) -> str:
    lines = [headline, ""]
    lines += [f"{label}{words['colon']} {value}" for label, value in rows]
    if parts["terms"]:
        lines += ["", f"{words['terms']}{words['colon']} {parts['terms']}"]
    if parts["posts"]:
        lines += ["", f"{words['posts']}{words['colon']}"]
        for number, post in enumerate(parts["posts"], 1):
            lines += [f"{number}. {post.head}", f"   {post.excerpt}"]
            if post.url:
                lines.append(f"   {post.url}")
    if parts["authors"]:
        lines += ["", f"{words['authors']}{words['colon']} {parts['authors']}"]
    if parts["details"]:
        lines += ["", f"{words['details']}{words['colon']} {parts['details']}"]
    return "\n".join([*lines, "", footer]) + "\n"


def _html_post(post: _Post) -> str:
    link = ""
    if post.url:
        url = html.escape(post.url, quote=True)
        link = f'<br><a href="{url}">{url}</a>'
    return (
        f"<li><strong>{html.escape(post.head)}</strong><br>{html.escape(post.excerpt)}{link}</li>"
    )


def _html(
    language: str,
    headline: str,
    rows: list[tuple[str, str]],
    parts: Mapping[str, Any],
    words: Mapping[str, str],
    footer: str,
) -> str:
    e = html.escape
    body = [f"<h2>{e(headline)}</h2>", "<table>"]
    body += [
        f'<tr><th align="left">{e(label)}</th><td>{e(value)}</td></tr>' for label, value in rows
    ]
    body.append("</table>")
    if parts["terms"]:
        body.append(
            f"<p><strong>{e(words['terms'])}</strong>{e(words['colon'])} {e(parts['terms'])}</p>"
        )
    if parts["posts"]:
        body.append(f"<p><strong>{e(words['posts'])}</strong></p><ol>")
        body += [_html_post(post) for post in parts["posts"]]
        body.append("</ol>")
    for key, label in (("authors", "authors"), ("details", "details")):
        if parts[key]:
            body.append(
                f"<p><strong>{e(words[label])}</strong>{e(words['colon'])} {e(parts[key])}</p>"
            )
    body.append(f'<p style="color:#666">{e(footer)}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><body style="font-family:sans-serif">'
        + "\n".join(body)
        + "</body></html>\n"
    )


def facts(alert: Alert) -> dict[str, Any]:
    """The alert as JSON-ready data (for webhook receivers)."""
    return {
        "alert_id": alert.id,
        "brand_id": alert.brand_id,
        "brand": alert.brand,
        "detector": alert.detector,
        "scope": alert.scope,
        "subject": alert.subject,
        "status": alert.status,
        "severity": alert.severity,
        "max_severity": alert.max_severity,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "window_start": alert.window_start.isoformat(),
        "window_end": alert.window_end.isoformat(),
        "observed": alert.observed,
        "expected": alert.expected,
        "unit": alert.unit,
        "score": alert.score,
        "firings": alert.firings,
        **{
            key: alert.evidence.get(key)
            for key in ("top_terms", "top_posts", "top_authors", "details")
        },
    }


def render_alert(
    alert: Alert,
    *,
    event: str = "opened",
    language: str = "fr",
    target: str = "",
    timezone: str | None = None,
) -> AlertMessage:
    """The message about ``alert`` for ``event``, in ``language`` (``fr`` or ``en``), times
    in ``timezone`` (UTC by default)."""
    language = language if language in wording.LOCALES else "fr"
    words, zone = _words(language), _zone(timezone)
    event_words = wording.EVENTS[language].get(event, event)
    headline = one_line(f"{event_words} · {alert.brand}")
    subject = one_line(
        f"[Confiance] {event_words} · {alert.brand} · "
        f"{detector_words(alert, language)} · {alert.severity}/5"
    )
    rows, parts = _summary(alert, language, zone), _sections(alert, language, zone)
    footer = words["footer"].format(id=alert.id)
    return AlertMessage(
        event=event,
        target=target,
        language=language,
        subject=subject,
        text=_text(headline, rows, parts, words, footer),
        html=_html(language, headline, rows, parts, words, footer),
        facts={"event": event, **facts(alert)},
        alert_ids=(alert.id,),
    )


def _digest_item(alert: Alert, language: str, zone: ZoneInfo) -> tuple[str, list[str]]:
    words = _words(language)
    severity = wording.SEVERITIES[language].get(alert.max_severity, "")
    head = (
        f"[{alert.max_severity}/5 {severity}] {detector_words(alert, language)} · "
        f"{wording.STATUSES[language].get(alert.status, alert.status)} · "
        f"{_time(alert.last_seen, language, zone)}"
    )
    lines = [_observed(alert, language)]
    terms = _pairs(alert.evidence.get("top_terms"), language)
    if terms:
        lines.append(f"{words['terms']}{words['colon']} {terms}")
    posts = [p for p in alert.evidence.get("top_posts") or [] if isinstance(p, Mapping)]
    if posts:
        post = _post(posts[0], language, zone)
        lines.append(f"{post.head} {post.excerpt} {post.url or ''}".rstrip())
    return head, lines


def render_digest(
    digest: Digest, *, language: str = "fr", target: str = "", timezone: str | None = None
) -> AlertMessage:
    """One message listing the digest's alerts (the :data:`DIGEST_LIMIT` most severe)."""
    language = language if language in wording.LOCALES else "fr"
    words, zone = _words(language), _zone(timezone)
    count = len(digest.alerts)
    title = one_line(f"{wording.EVENTS[language]['digest']} · {digest.brand}")
    period = words["digest_period"].format(
        count=_num(count, language),
        since=_time(digest.since, language, zone),
        until=_time(digest.until, language, zone),
        zone=zone.key,
    )
    items = [_digest_item(a, language, zone) for a in digest.alerts[:DIGEST_LIMIT]]
    more = (
        words["more"].format(count=_num(count - DIGEST_LIMIT, language))
        if count > DIGEST_LIMIT
        else ""
    )
    text = [title, "", period, ""]
    for number, (head, lines) in enumerate(items, 1):
        text += [f"{number}. {head}", *[f"   {line}" for line in lines], ""]
    e = html.escape
    body = "".join(
        f"<li><strong>{e(head)}</strong><br>{'<br>'.join(e(x) for x in lines)}</li>"
        for head, lines in items
    )
    return AlertMessage(
        event="digest",
        target=target,
        language=language,
        subject=one_line(f"[Confiance] {title} · {period}"),
        text="\n".join([*text, more]).rstrip() + "\n",
        html=(
            f'<!DOCTYPE html>\n<html lang="{language}"><body style="font-family:sans-serif">'
            f"<h2>{e(title)}</h2><p>{e(period)}</p><ol>{body}</ol><p>{e(more)}</p>"
            "</body></html>\n"
        ),
        facts={
            "event": "digest",
            "brand_id": digest.brand_id,
            "brand": digest.brand,
            "since": digest.since.isoformat(),
            "until": digest.until.isoformat(),
            "alerts": [facts(a) for a in digest.alerts[:DIGEST_LIMIT]],
            "count": count,
        },
        alert_ids=tuple(a.id for a in digest.alerts),
    )

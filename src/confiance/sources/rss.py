"""RSS 2.0 feeds (blogs, press, review sites): ``<rss><channel><item>...``.

Save the feed as the site serves it (``curl -o feed.xml https://example.fr/feed/``); nothing has
to be requested beyond the feed URL. A WordPress feed is ``/feed/`` (posts) or
``/comments/feed/``; ask for the full text with the site's "full text" feed setting, otherwise
``content:encoded`` is absent and the post text is the ``description`` summary.

Each ``<item>`` becomes a ``web`` post. Extensions read: ``content:encoded`` (full HTML text),
``dc:creator`` / ``dc:date`` / ``dc:language`` (Dublin Core), ``media:content`` (Media RSS,
also inside ``media:group``) and ``slash:comments`` (comment count). HTML is turned into plain
text; only real ``#hashtags`` of the title and text become hashtags (``<category>`` stays in
``raw``). The file is parsed with ``defusedxml`` and streamed: see :mod:`._feeds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from functools import partial
from typing import IO, Any
from xml.etree.ElementTree import Element

from confiance.domain import Author, Metrics, Platform, Post, PostKind
from confiance.sources import _feeds as xml
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    build,
    head_text,
    parse_time,
    reject,
)


@dataclass
class _Channel:
    """What the channel says before its items: language and site host."""

    language: str | None = None
    host: str | None = None

    def update(self, elem: Element) -> None:
        if elem.tag in {"language", f"{xml.DC}language"}:
            self.language = self.language or xml.language(xml.text(elem))
        elif elem.tag == "link":
            self.host = self.host or xml.host_of(xml.text(elem))


def parse(payload: Any) -> Iterator[Item]:
    """Map one whole RSS document (bytes or text) to posts, item by item."""
    source = xml.source_of(payload)
    if source is None:
        yield reject("an RSS feed must be an XML document (bytes or text)", repr(payload)[:2000])
        return
    yield from _read(source)


def read(stream: IO[bytes]) -> Iterator[Item]:
    """Stream an RSS file: items are mapped and freed one at a time."""
    yield from _read(stream)


def _read(source: IO[bytes] | IO[str]) -> Iterator[Item]:
    channel = _Channel()
    count = 0
    for event in xml.walk(source, "channel", "item"):
        if not isinstance(event, tuple):
            yield event
            return
        kind, elem = event
        if kind == "root":
            if elem.tag != "rss":
                yield xml.not_a("an RSS 2.0 feed", elem)
                return
        elif kind == "head":
            channel.update(elem)
        else:
            count += 1
            raw = xml.element_dict(elem)
            item = build(partial(_post, elem, raw, channel), raw)
            if not isinstance(item, Post):
                item.position = f"item {count}"
            yield item


def _post(item: Element, raw: dict[str, Any] | str, channel: _Channel) -> Post:
    guid = item.find("guid")
    link = xml.text(item.find("link"))
    guid_text = xml.text(guid)
    platform_id = guid_text or link
    if platform_id is None:
        raise MissingField("guid' or 'link")
    permalink = guid is not None and (guid.get("isPermaLink") or "true").strip() != "false"
    if link is None and permalink and guid_text and guid_text.startswith(("http://", "https://")):
        link = guid_text
    title = xml.text(item.find("title"))
    body = xml.html_to_text(xml.text(item.find(f"{xml.CONTENT}encoded")))
    body = body or xml.html_to_text(xml.text(item.find("description")))
    if title is None and body is None:
        raise MissingField("title' or 'description")
    host = channel.host or xml.host_of(link)
    return Post(
        platform=Platform.WEB,
        platform_id=platform_id,
        kind=PostKind.POST,
        url=link,
        author=_author(item, host),
        text=body,
        title=title,
        language=xml.language(xml.text(item.find(f"{xml.DC}language"))) or channel.language,
        created_at=parse_time(xml.text(item.find("pubDate"))
                              or xml.text(item.find(f"{xml.DC}date"))),
        media=xml.media(item, ((e.get("url"), e.get("type"))
                               for e in item.findall("enclosure"))),
        hashtags=xml.hashtags(title, body),
        metrics=Metrics(comments=as_int(xml.text(item.find(f"{xml.SLASH}comments")))),
        raw=raw if isinstance(raw, dict) else {"#text": raw},
    )


def _author(item: Element, host: str | None) -> Author | None:
    name = xml.text(item.find(f"{xml.DC}creator"))
    if name is None:
        # RSS 2.0 <author> is an e-mail address, often "lea@example.fr (Léa Dupont)"
        display, email = parseaddr(xml.text(item.find("author")) or "")
        name = display.strip() or email.strip() or None
    if name is None:
        return None
    return Author(platform=Platform.WEB, platform_id=xml.author_id(host, name), handle=name,
                  display_name=name)


def sniff(sample: bytes) -> float:
    """Confident when the root element is ``<rss>``; RDF (RSS 1.0) and Atom feeds score 0."""
    head = head_text(sample)
    if xml.root_name(head) != "rss":
        return 0.0
    return 0.95 if "<channel" in head else 0.7


FORMATS = (
    SourceFormat(
        name="rss",
        description="RSS 2.0 feeds (blogs, press): items with Dublin Core, content and "
        "Media RSS extensions",
        parse=parse,
        read=read,
        sniff=sniff,
        extensions=("rss", "xml"),
    ),
)

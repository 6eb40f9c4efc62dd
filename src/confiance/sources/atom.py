"""Atom 1.0 feeds (RFC 4287): ``<feed xmlns="http://www.w3.org/2005/Atom"><entry>...``.

Save the feed as the site serves it (``curl -o feed.atom https://example.fr/feed.atom``;
WordPress: ``/feed/atom/``, Blogger: ``/feeds/posts/default``); nothing else has to be
requested. Each ``<entry>`` becomes a ``web`` post; an entry with ``thr:in-reply-to``
(RFC 4685, comment feeds) becomes a ``comment`` of the entry it answers. Text constructs of
type ``text``, ``html`` and ``xhtml`` become plain text; ``<category>`` stays in ``raw``;
``link rel="enclosure"`` and Media RSS ``media:content`` become media. The file is parsed with
``defusedxml`` and streamed: see :mod:`._feeds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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

A = xml.ATOM
NS = "http://www.w3.org/2005/Atom"


@dataclass
class _Feed:
    """Feed-level values entries inherit: ``xml:lang``, site host and authors."""

    language: str | None = None
    host: str | None = None
    authors: list[Element] = field(default_factory=list)

    def update(self, elem: Element) -> None:
        if elem.tag == f"{A}author":
            self.authors.append(elem)
        elif elem.tag == f"{A}link" and _is_alternate(elem):
            self.host = self.host or xml.host_of(elem.get("href"))


def parse(payload: Any) -> Iterator[Item]:
    """Map one whole Atom document (bytes or text) to posts, entry by entry."""
    source = xml.source_of(payload)
    if source is None:
        yield reject("an Atom feed must be an XML document (bytes or text)", repr(payload)[:2000])
        return
    yield from _read(source)


def read(stream: IO[bytes]) -> Iterator[Item]:
    """Stream an Atom file: entries are mapped and freed one at a time."""
    yield from _read(stream)


def _read(source: IO[bytes] | IO[str]) -> Iterator[Item]:
    feed = _Feed()
    count = 0
    for event in xml.walk(source, f"{A}feed", f"{A}entry"):
        if not isinstance(event, tuple):
            yield event
            return
        kind, elem = event
        if kind == "root":
            if elem.tag != f"{A}feed":
                yield xml.not_a("an Atom 1.0 feed", elem)
                return
            feed.language = xml.language(elem.get(xml.XML_LANG))
        elif kind == "head":
            feed.update(elem)
        else:
            count += 1
            raw = xml.element_dict(elem, NS)
            item = build(partial(_post, elem, raw, feed), raw)
            if not isinstance(item, Post):
                item.position = f"entry {count}"
            yield item


def _post(entry: Element, raw: dict[str, Any] | str, feed: _Feed) -> Post:
    links = entry.findall(f"{A}link")
    url = next((link.get("href") for link in links if _is_alternate(link)), None)
    platform_id = xml.text(entry.find(f"{A}id")) or url
    if platform_id is None:
        raise MissingField("id")
    title = text_construct(entry.find(f"{A}title"))
    content = entry.find(f"{A}content")
    body = text_construct(content) if content is not None and not content.get("src") else None
    body = body or text_construct(entry.find(f"{A}summary"))
    if title is None and body is None:
        raise MissingField("title' or 'content")
    parent = entry.find(f"{xml.THR}in-reply-to")
    parent_id = parent.get("ref") if parent is not None else None
    lang = entry.get(xml.XML_LANG) or (content.get(xml.XML_LANG) if content is not None else None)
    return Post(
        platform=Platform.WEB,
        platform_id=platform_id,
        kind=PostKind.COMMENT if parent_id else PostKind.POST,
        url=url,
        author=_author(entry, feed, feed.host or xml.host_of(url)),
        text=body,
        title=title,
        language=xml.language(lang) or feed.language,
        created_at=parse_time(xml.text(entry.find(f"{A}published"))
                              or xml.text(entry.find(f"{A}updated"))),
        parent_id=parent_id,
        media=xml.media(entry, ((link.get("href"), link.get("type")) for link in links
                                if link.get("rel") == "enclosure")),
        hashtags=xml.hashtags(title, body),
        metrics=Metrics(comments=_comments(entry, links)),
        raw=raw if isinstance(raw, dict) else {"#text": raw},
    )


def text_construct(elem: Element | None) -> str | None:
    """Plain text of an Atom text construct (``type`` text, html or xhtml)."""
    if elem is None:
        return None
    kind = (elem.get("type") or "text").strip().lower()
    if kind == "xhtml":
        div = elem.find("{http://www.w3.org/1999/xhtml}div")
        return xml.xhtml_to_text(div if div is not None else elem)
    if kind in {"html", "text/html"}:
        return xml.html_to_text(elem.text)
    if kind in {"text", "text/plain"}:
        return xml.text(elem)
    return None  # other media types (base64 images...) carry no text


def _is_alternate(link: Element) -> bool:
    return (link.get("rel") or "alternate") == "alternate" and bool(link.get("href"))


def _author(entry: Element, feed: _Feed, host: str | None) -> Author | None:
    people = entry.findall(f"{A}author") or entry.findall(f"{A}source/{A}author") or feed.authors
    for person in people:
        name = xml.text(person.find(f"{A}name"))
        if name:
            return Author(platform=Platform.WEB, platform_id=xml.author_id(host, name),
                          handle=name, display_name=name, url=xml.text(person.find(f"{A}uri")))
    return None


def _comments(entry: Element, links: list[Element]) -> int | None:
    total = as_int(xml.text(entry.find(f"{xml.THR}total")))
    if total is not None:
        return total
    for link in links:
        if link.get("rel") == "replies" and link.get(f"{xml.THR}count") is not None:
            return as_int(link.get(f"{xml.THR}count"))
    return None


def sniff(sample: bytes) -> float:
    """Confident when the root element is ``<feed>`` in the Atom namespace; RSS scores 0."""
    head = head_text(sample)
    if xml.root_name(head) != "feed":
        return 0.0
    return 0.95 if NS in head[:4000] else 0.0


FORMATS = (
    SourceFormat(
        name="atom",
        description="Atom 1.0 feeds (RFC 4287): entries of blogs, press and comment feeds",
        parse=parse,
        read=read,
        sniff=sniff,
        extensions=("atom", "xml"),
    ),
)

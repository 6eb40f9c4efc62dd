"""XML helpers shared by the RSS and Atom importers (private to ``confiance.sources``).

Feeds are parsed with ``defusedxml``: a document that declares entities (billion laughs,
external entities) is refused, not expanded. :func:`walk` streams a feed with ``iterparse`` and
drops every item once it has been mapped, so a large feed never sits in memory at once; an XML
error after N good items still lets those N items through, then yields a ``Rejected`` with the
line and column of the error.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import IO, Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from confiance.domain import Media, MediaType, Rejected

PREFIXES = {
    "http://www.w3.org/2005/Atom": "atom",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://search.yahoo.com/mrss/": "media",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/syndication/thread/1.0": "thr",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/1999/xhtml": "xhtml",
}
"""Namespaces whose elements feeds commonly use, by their conventional prefix."""

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
THR = "{http://purl.org/syndication/thread/1.0}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Event = tuple[str, Element]
"""``("root", element)`` at the start of the document, then ``("head", element)`` for each
feed-level child and ``("item", element)`` for each item, as they end."""

_POSITION = re.compile(r":? *line \d+, column \d+$")
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.S)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_HASHTAG = re.compile(r"(?<![\w#&/])#(\w+)")


def source_of(payload: Any) -> IO[bytes] | IO[str] | None:
    """A readable stream for a whole feed document given as bytes or text; None otherwise."""
    if isinstance(payload, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(payload))
    if isinstance(payload, str):
        return io.StringIO(payload)
    return None


def walk(source: IO[bytes] | IO[str], container: str, item: str) -> Iterator[Event | Rejected]:
    """Stream the children of the ``container`` element; free each ``item`` once consumed."""
    stack: list[Element] = []
    try:
        for event, elem in iterparse(source, events=("start", "end")):
            if event == "start":
                if not stack:
                    yield "root", elem
                stack.append(elem)
                continue
            stack.pop()
            if not stack or stack[-1].tag != container:
                continue
            if elem.tag == item:
                yield "item", elem
                stack[-1].remove(elem)
            else:
                yield "head", elem
    except DefusedXmlException as exc:
        yield Rejected(reason=f"refused: the document declares entities or external "
                       f"references ({type(exc).__name__}), which feeds never need",
                       code="E204", position="document")
    except ParseError as exc:
        line, column = exc.position
        message = _POSITION.sub("", str(exc))
        yield Rejected(reason=f"not well-formed XML: {message}", code="E204",
                       position=f"line {line}, column {column + 1}")


def root_name(head: str) -> str | None:
    """The name of the root element at the start of an XML text (after prolog and comments)."""
    position = 0
    while match := _PROLOG.match(head, position):
        position = match.end()
    found = _ROOT.match(head, position)
    return found.group(1) if found else None


def not_a(kind: str, root: Element) -> Rejected:
    """The rejection of a well-formed document whose root is not the expected one."""
    return Rejected(reason=f"not {kind}: the root element is <{qname(root.tag)}>",
                    code="E204", position="document")


# ---------------------------------------------------------------------------- element access


def qname(tag: str, default: str = "") -> str:
    """``{ns}local`` as ``prefix:local`` (no prefix for the ``default`` namespace)."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri == default:
        return local
    prefix = PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else tag


def text(elem: Element | None) -> str | None:
    """The stripped text of an element; None when absent or blank."""
    if elem is None or elem.text is None:
        return None
    value = elem.text.strip()
    return value or None


def element_dict(elem: Element, default: str = "", depth: int = 0) -> Any:
    """A JSON-ready copy of an element: ``@attr`` keys, ``#text``, repeated children as lists."""
    value = (elem.text or "").strip()
    if depth > 16:
        return "".join(elem.itertext()).strip()
    if not elem.attrib and len(elem) == 0:
        return value
    out: dict[str, Any] = {f"@{qname(k, default)}": v for k, v in elem.attrib.items()}
    if value:
        out["#text"] = value
    for child in elem:
        key = qname(child.tag, default)
        mapped = element_dict(child, default, depth + 1)
        if key not in out:
            out[key] = mapped
        elif isinstance(out[key], list):
            out[key].append(mapped)
        else:
            out[key] = [out[key], mapped]
    return out


def host_of(url: str | None) -> str | None:
    """The lower-cased host of an absolute URL, or None."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host or None


def author_id(host: str | None, name: str) -> str:
    """A stable author id for a feed byline: ``host/name`` (hashed when over 200 characters)."""
    key = f"{host}/{name}" if host else name
    if len(key) <= 200:
        return key
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return f"{host or ''}/sha256:{digest}"


def language(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: ``fr-FR`` -> ``fr``."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if 2 <= len(primary) <= 8 and primary.isascii() and primary.isalpha() else None


def media_type(mime: str | None, medium: str | None = None) -> MediaType:
    """The media type from a Media RSS ``medium`` or a MIME type."""
    if medium in {"image", "video", "audio"}:
        return MediaType(medium)
    mime = (mime or "").lower()
    if mime == "image/gif":
        return MediaType.GIF
    for prefix, kind in (("image/", MediaType.IMAGE), ("video/", MediaType.VIDEO),
                         ("audio/", MediaType.AUDIO)):
        if mime.startswith(prefix):
            return kind
    return MediaType.OTHER


def media(item: Element, enclosures: Iterable[tuple[str | None, str | None]]) -> list[Media]:
    """Media of an item: Media RSS ``media:content`` (one per ``media:group``: its
    ``isDefault`` rendition, else the first), then ``(url, MIME type)`` enclosures; no URL twice.
    """
    contents = item.findall(f"{MEDIA}content")
    for group in item.findall(f"{MEDIA}group"):
        renditions = group.findall(f"{MEDIA}content")
        default = [c for c in renditions if c.get("isDefault") == "true"]
        contents.extend((default or renditions)[:1])
    found: dict[str, Media] = {}
    for content in contents:
        url = (content.get("url") or "").strip()
        if url and url not in found:
            duration = _number(content.get("duration"))
            found[url] = Media(
                url=url,
                type=media_type(content.get("type"), content.get("medium")),
                width=_number(content.get("width")),
                height=_number(content.get("height")),
                duration_s=float(duration) if duration is not None else None,
            )
    for href, mime in enclosures:
        url = (href or "").strip()
        if url and url not in found:
            found[url] = Media(url=url, type=media_type(mime))
    return list(found.values())


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def hashtags(*texts: str | None) -> list[str]:
    """Real ``#hashtags`` of plain texts (not URL fragments, not numbers), without ``#``."""
    found: list[str] = []
    for value in texts:
        for tag in _HASHTAG.findall(value or ""):
            if any(c.isalpha() for c in tag) and tag not in found:
                found.append(tag)
    return found


# ---------------------------------------------------------------------------- HTML to text

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p",
    "pre", "section", "table", "tr", "ul",
})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})
_SPACES = re.compile(r"[ \t\r\n\f]+")  # not \s: keep French non-breaking spaces
_EDGES = re.compile(r"[ \t\u00a0\u202f]*\n[ \t\u00a0\u202f]*")


class _Text:
    """Collects the text of an HTML tree: blocks become paragraphs, ``br`` a line break."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skipping = 0

    def start(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def end(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def data(self, value: str | None) -> None:
        if value and not self.skipping:
            self.parts.append(_SPACES.sub(" ", value))

    def result(self) -> str | None:
        joined = _EDGES.sub("\n", "".join(self.parts))
        return re.sub(r"\n{3,}", "\n\n", joined).strip() or None


class _HTML(HTMLParser):
    def __init__(self, sink: _Text) -> None:
        super().__init__(convert_charrefs=True)
        self.sink = sink

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sink.start(tag)

    def handle_endtag(self, tag: str) -> None:
        self.sink.end(tag)

    def handle_data(self, data: str) -> None:
        self.sink.data(data)


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment (entities decoded, scripts dropped); None when empty."""
    if not html:
        return None
    sink = _Text()
    parser = _HTML(sink)
    parser.feed(html)
    parser.close()
    return sink.result()


def xhtml_to_text(root: Element) -> str | None:
    """Plain text of an inline XHTML element tree (Atom ``type="xhtml"``), without recursion."""
    sink = _Text()
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        elem, done = stack.pop()
        tag = qname(elem.tag).rsplit(":", 1)[-1].rsplit("}", 1)[-1]
        if done:
            sink.end(tag)
            if elem is not root:
                sink.data(elem.tail)
            continue
        sink.start(tag)
        sink.data(elem.text)
        stack.append((elem, True))
        stack.extend((child, False) for child in reversed(elem))
    return sink.result()

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import _feeds, rss

FEED = Path(__file__).parent / "fixtures" / "rss" / "deco_et_sens.xml"
ATOM = Path(__file__).parent / "fixtures" / "atom" / "bougies_de_jeanne.atom"


def _items(data: bytes | None = None) -> list[Post | Rejected]:
    return list(rss.FORMATS[0].read(io.BytesIO(FEED.read_bytes() if data is None else data)))


def test_maps_a_wordpress_item_with_full_text_author_and_media() -> None:
    first = _items()[0]
    assert isinstance(first, Post)
    assert first.platform is Platform.WEB and first.kind is PostKind.POST
    # guid isPermaLink="false": the id is the guid, the url is <link>
    assert first.platform_id == "https://www.deco-et-sens.fr/?p=4812"
    assert first.url == "https://www.deco-et-sens.fr/2026/10/08/test-bougies-maison-lumiere/"
    assert first.title == "On a testé les bougies Maison Lumière : notre avis sans filtre"
    assert first.created_at == datetime(2026, 10, 8, 6, 30, tzinfo=UTC)
    assert first.language == "fr"  # channel <language>fr-FR</language>, primary subtag
    assert first.author is not None
    assert first.author.platform_id == "www.deco-et-sens.fr/Camille Martin"
    assert first.author.display_name == first.author.handle == "Camille Martin"
    assert first.metrics.comments == 12
    assert first.metrics.likes is None
    # content:encoded wins over description, as plain text: paragraphs, no script, nbsp kept
    assert first.text is not None
    assert first.text.startswith("Trois semaines, six bougies, un salon qui sent le feu de "
                                 "bois\u00a0!")
    assert "\n\nLa Figue Noire de Maison Lumière tient ses promesses\u00a0: 45\u00a0h" in first.text
    assert "dataLayer" not in first.text and "<" not in first.text
    # #1 is a number, guide#prix a URL fragment: only real hashtags
    assert first.hashtags == ["MaisonLumiere", "bougie"]
    assert first.mentions == []
    [image] = first.media
    assert image.type is MediaType.IMAGE and (image.width, image.height) == (1200, 800)
    # categories are kept in raw only
    assert first.raw is not None and first.raw["category"] == ["Senteurs", "Tests produits"]
    assert first.raw["guid"] == {"@isPermaLink": "false",
                                 "#text": "https://www.deco-et-sens.fr/?p=4812"}


def test_maps_rss_author_email_permalink_guid_enclosure_and_missing_fields() -> None:
    _, podcast, minimal, video = _items()
    assert isinstance(podcast, Post) and isinstance(minimal, Post) and isinstance(video, Post)
    # no <link>: a permalink guid is the url too
    assert podcast.url == podcast.platform_id == (
        "https://www.deco-et-sens.fr/podcast/atelier-maison-lumiere/")
    assert podcast.created_at == datetime(2026, 10, 6, 15, 45, tzinfo=UTC)
    assert podcast.author is not None and podcast.author.display_name == "Julien Roux"
    assert podcast.hashtags == ["podcast", "artisanat"]  # "#12" of the title is a number
    assert [(m.type, m.url) for m in podcast.media] == [
        (MediaType.AUDIO, "https://media.deco-et-sens.fr/podcast/ep12-maison-lumiere.mp3")]
    # only a title and a link: the link is the id, nothing else is invented
    assert minimal.platform_id == "https://www.deco-et-sens.fr/bons-plans/diffuseurs-octobre/"
    assert minimal.text is None and minimal.created_at is None and minimal.author is None
    assert minimal.media == [] and minimal.metrics.comments is None
    assert minimal.language == "fr"
    # one rendition per media:group (with its size), the same-URL enclosure is not repeated
    assert [(m.type, m.width, m.duration_s) for m in video.media] == [
        (MediaType.VIDEO, 1920, 184.0)]
    assert video.text == ("Les pots Maison Lumière sont consignés en boutique… mais on peut "
                          "aussi les transformer en cache-pots. Tuto en vidéo\u00a0!\n"
                          "Merci à @lea_dcr pour l'astuce.")
    assert video.metrics.comments == 0


def test_parse_takes_a_whole_document_as_bytes_or_text() -> None:
    from_bytes = list(rss.parse(FEED.read_bytes()))
    from_text = list(rss.parse(FEED.read_text(encoding="utf-8")))
    assert [p.platform_id for p in from_bytes] == [p.platform_id for p in from_text]
    assert len(from_bytes) == 4
    [bad] = list(rss.parse({"not": "xml"}))
    assert isinstance(bad, Rejected) and "XML document" in bad.reason


def test_an_item_without_guid_nor_link_is_rejected_and_the_rest_goes_on() -> None:
    data = FEED.read_bytes().replace(
        b"<link>https://www.deco-et-sens.fr/bons-plans/diffuseurs-octobre/</link>", b"")
    items = _items(data)
    assert [type(i) for i in items] == [Post, Post, Rejected, Post]
    rejected = items[2]
    assert isinstance(rejected, Rejected)
    assert "guid" in rejected.reason and "link" in rejected.reason
    assert rejected.position == "item 3" and rejected.code == "E201"
    assert rejected.raw == {"title": "Bons plans : -20 % sur les diffuseurs jusqu'à dimanche"}


def test_an_item_with_neither_title_nor_text_and_an_unreadable_date_are_rejected() -> None:
    data = FEED.read_bytes().replace(
        b"<title>Bons plans : -20 % sur les diffuseurs jusqu'\xc3\xa0 dimanche</title>", b"")
    data = data.replace(b"Fri, 02 Oct 2026 09:00:00 GMT", b"vendredi dernier")
    items = _items(data)
    assert [type(i) for i in items] == [Post, Post, Rejected, Rejected]
    assert "title" in items[2].reason and "description" in items[2].reason
    assert items[3].code == "E202" and "vendredi dernier" in items[3].reason


def test_a_malformed_document_yields_the_good_items_then_the_error_position() -> None:
    text = FEED.read_text(encoding="utf-8")
    cut = text.index("<item>", text.index("</item>", text.index("</item>") + 1))
    broken = text[:cut] + "<item>\n<title>Coupé</titre>\n</item></channel></rss>\n"
    line = broken[:cut].count("\n") + 2
    items = _items(broken.encode("utf-8"))
    assert [type(i) for i in items] == [Post, Post, Rejected]
    error = items[2]
    assert isinstance(error, Rejected) and error.code == "E204"
    assert "mismatched tag" in error.reason
    assert error.position == f"line {line}, column 15"  # the "t" of </titre>, from 1


def test_xml_bombs_and_external_entities_are_refused_not_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
            b"<rss><channel><item><title>&c;</title><link>https://x.fr/</link></item>"
            b"</channel></rss>")
    external = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<rss><channel><item><title>&x;</title><link>https://x.fr/</link></item>"
                b"</channel></rss>")
    for doc in (bomb, external):
        [refused] = _items(doc)
        assert isinstance(refused, Rejected) and refused.code == "E204"
        assert refused.reason.startswith("refused") and refused.position == "document"


def test_another_xml_document_is_rejected_once() -> None:
    [wrong] = _items(ATOM.read_bytes())
    assert isinstance(wrong, Rejected) and "<atom:feed>" in wrong.reason
    [empty] = _items(b"")
    assert isinstance(empty, Rejected) and empty.code == "E204"


def test_items_are_freed_once_mapped() -> None:
    items = "".join(f"<item><title>Bougie n°{n}</title><guid>id-{n}</guid></item>"
                    for n in range(2000))
    doc = f"<rss><channel><link>https://x.fr/</link>{items}</channel></rss>".encode()
    root = None
    seen = 0
    for event in _feeds.walk(io.BytesIO(doc), "channel", "item"):
        assert isinstance(event, tuple)
        if event[0] == "root":
            root = event[1]
        elif event[0] == "item":
            seen += 1
    assert seen == 2000 and root is not None
    channel = root.find("channel")
    assert channel is not None and channel.findall("item") == []
    assert len(_items(doc)) == 2000


def test_html_to_text_and_helpers() -> None:
    html = "<h2>Avis</h2><p>Top&nbsp;! <br>Vraiment<script>x()</script></p><ul><li>a</li></ul>"
    assert _feeds.html_to_text(html) == "Avis\n\nTop\u00a0!\nVraiment\n\na"
    assert _feeds.html_to_text("  ") is None
    assert _feeds.language("fr-FR") == "fr" and _feeds.language("EN_us") == "en"
    assert _feeds.language("français") is None and _feeds.language(None) is None
    assert _feeds.hashtags("#Top #1 a#b http://x.fr/#frag &#39; #top", "#Top") == ["Top", "top"]
    assert _feeds.author_id(None, "Léa") == "Léa"
    long_id = _feeds.author_id("x.fr", "L" * 300)
    assert long_id.startswith("x.fr/sha256:") and len(long_id) <= 200


def test_sniffs_rss_only() -> None:
    assert rss.sniff(FEED.read_bytes()) > 0.5
    assert rss.sniff(ATOM.read_bytes()) == 0.0
    assert rss.sniff(b'{"data": [{"id": "1", "text": "rss"}]}') == 0.0
    assert rss.sniff(b"<!DOCTYPE html><html><body>rss</body></html>") == 0.0
    assert rss.sniff(b"platform_id,text\n1,<rss>\n") == 0.0
    # the root element decides, not a "<rss" quoted in an Atom entry
    quoting = ATOM.read_bytes().replace(b"<p>Same here", b"<p>&lt;rss&gt; <![CDATA[<rss>]]>")
    assert b"<rss>" in quoting and rss.sniff(quoting) == 0.0
    prolog = b'<?xml version="1.0"?>\n<!-- generated -->\n<!DOCTYPE rss>\n'
    commented = prolog + FEED.read_bytes()[39:]
    assert rss.sniff(commented) > 0.5

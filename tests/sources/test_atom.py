from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import atom

FEED = Path(__file__).parent / "fixtures" / "atom" / "bougies_de_jeanne.atom"
RSS = Path(__file__).parent / "fixtures" / "rss" / "deco_et_sens.xml"


def _items(data: bytes | None = None) -> list[Post | Rejected]:
    return list(atom.FORMATS[0].read(io.BytesIO(FEED.read_bytes() if data is None else data)))


def test_maps_an_entry_with_html_content_author_enclosure_and_reply_count() -> None:
    first = _items()[0]
    assert isinstance(first, Post)
    assert first.platform is Platform.WEB and first.kind is PostKind.POST
    assert first.platform_id == "https://lesbougiesdejeanne.fr/?p=1207"
    assert first.url == "https://lesbougiesdejeanne.fr/2026/10/ambre-santal-maison-lumiere/"
    # type="html" title: the escaped markup becomes text
    assert first.title == "Maison Lumière « Ambre & Santal » : coup de cœur ou déception ?"
    # content wins over summary
    assert first.text == ("Une bougie qui promet 50\u00a0heures de combustion. J'en ai compté 41, "
                          "pas mal quand même\u00a0!\n\nL'odeur à froid est superbe, à chaud "
                          "c'est plus discret… #MaisonLumiere #ambre")
    assert first.hashtags == ["MaisonLumiere", "ambre"]
    # published wins over updated, in UTC
    assert first.created_at == datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
    assert first.language == "fr"  # feed xml:lang="fr-FR"
    assert first.author is not None
    assert first.author.platform_id == "lesbougiesdejeanne.fr/Jeanne Lefèvre"
    assert first.author.display_name == "Jeanne Lefèvre"
    assert first.author.url == "https://lesbougiesdejeanne.fr/a-propos/"
    assert first.metrics.comments == 2  # thr:total
    [image] = first.media
    assert image.type is MediaType.IMAGE and image.url is not None
    assert image.url.endswith("/ambre-santal.jpg") and image.width is None
    assert first.raw is not None
    assert [c["@term"] for c in first.raw["category"]] == ["Avis", "Maison Lumière"]


def test_maps_a_threaded_comment_with_xhtml_content_and_its_own_language() -> None:
    comment = _items()[1]
    assert isinstance(comment, Post)
    assert comment.kind is PostKind.COMMENT
    assert comment.parent_id == "https://lesbougiesdejeanne.fr/?p=1207"
    assert comment.language == "en"  # entry xml:lang overrides the feed's
    assert comment.text == ("Same here, mine burned for 38h only. Still love the smell though!"
                            "\n\nTip: trim the wick to 5\u00a0mm #candlecare")
    assert comment.title == "Re: Ambre & Santal"
    assert comment.created_at == datetime(2026, 10, 6, 21, 14, 3, tzinfo=UTC)  # only <updated>
    assert comment.author is not None and comment.author.url is None
    assert comment.author.platform_id == "lesbougiesdejeanne.fr/Sophie K."
    assert comment.metrics.comments is None


def test_entries_inherit_the_feed_author_and_fall_back_to_summary() -> None:
    _, _, video, contest = _items()
    assert isinstance(video, Post) and isinstance(contest, Post)
    # no rel: the link is the alternate one; no author: the feed's author
    assert video.url == "https://lesbougiesdejeanne.fr/2026/09/visite-atelier/"
    assert video.platform_id == "tag:lesbougiesdejeanne.fr,2026-09-28:/visite-atelier"
    assert video.author is not None and video.author.display_name == "Jeanne Lefèvre"
    assert video.text is not None and video.text.startswith("Ils m'ont ouvert les portes")
    assert [(m.type, m.width, m.height, m.duration_s) for m in video.media] == [
        (MediaType.VIDEO, 1920, 1080, 312.0)]
    # out-of-line content (src=...): the summary is the text
    assert contest.text == ("Tentez de gagner le coffret Hiver (3 bougies + 1 diffuseur). "
                            "Fin le 30/09.")
    assert contest.title == "Concours : gagnez un coffret Hiver"
    assert contest.created_at == datetime(2026, 9, 20, 12, 0, tzinfo=UTC)
    assert contest.hashtags == [] and contest.media == []


def test_an_entry_without_id_nor_alternate_link_is_rejected_and_the_rest_goes_on() -> None:
    data = FEED.read_bytes().replace(
        b"<id>tag:lesbougiesdejeanne.fr,2026-09-28:/visite-atelier</id>", b"").replace(
        b'<link href="https://lesbougiesdejeanne.fr/2026/09/visite-atelier/"/>', b"")
    items = _items(data)
    assert [type(i) for i in items] == [Post, Post, Rejected, Post]
    rejected = items[2]
    assert isinstance(rejected, Rejected)
    assert "'id'" in rejected.reason and rejected.position == "entry 3"
    assert isinstance(rejected.raw, dict)
    assert rejected.raw["title"] == "Visite de l'atelier Maison Lumière (vidéo)"


def test_a_malformed_feed_keeps_the_entries_before_the_error() -> None:
    text = FEED.read_text(encoding="utf-8")
    cut = text.index("<entry", text.index("</entry>"))
    items = _items((text[:cut] + "<entry><title>oups & co</title></entry></feed>").encode())
    assert [type(i) for i in items] == [Post, Rejected]
    assert items[1].code == "E204" and items[1].position is not None
    assert items[1].position.startswith(f"line {text[:cut].count(chr(10)) + 1}, column ")


def test_entities_are_refused_and_other_documents_rejected() -> None:
    bomb = (b'<!DOCTYPE feed [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>&b;</title>'
            b"</entry></feed>")
    [refused] = _items(bomb)
    assert isinstance(refused, Rejected) and refused.reason.startswith("refused")
    [wrong] = _items(RSS.read_bytes())
    assert isinstance(wrong, Rejected) and "<rss>" in wrong.reason
    # a <feed> outside the Atom namespace is not Atom
    [plain] = _items(b"<feed><entry><id>1</id><title>t</title></entry></feed>")
    assert isinstance(plain, Rejected) and "<feed>" in plain.reason


def test_parse_takes_a_whole_document() -> None:
    assert [p.platform_id for p in atom.parse(FEED.read_text(encoding="utf-8"))] == [
        p.platform_id for p in _items()]
    [bad] = list(atom.parse(42))
    assert isinstance(bad, Rejected)


def test_sniffs_atom_only() -> None:
    assert atom.sniff(FEED.read_bytes()) > 0.5
    assert atom.sniff(RSS.read_bytes()) == 0.0  # an RSS feed with an atom:link is still RSS
    assert atom.sniff(b"<feed><entry/></feed>") == 0.0
    assert atom.sniff(b'{"feed": {"entry": []}}') == 0.0
    assert atom.sniff(b"<feedback xmlns='http://www.w3.org/2005/Atom'/>") == 0.0

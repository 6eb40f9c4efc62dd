from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import mastodon

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
TAG = FIXTURES / "tag_timeline.json"
ACCOUNT = FIXTURES / "account_statuses.json"
LEA = "https://mastodon.social/users/lea_bougies/statuses/113245678901234567"


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _posts(payload: Any) -> list[Post]:
    items = list(mastodon.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_a_tag_timeline_field_by_field() -> None:
    first = _posts(_load(TAG))[0]
    assert first.platform is Platform.MASTODON and first.kind is PostKind.POST
    assert first.platform_id == LEA and first.parent_id is None
    assert first.url == "https://mastodon.social/@lea_bougies/113245678901234567"
    assert first.text == (
        "Premier feu de cheminée & première bougie #MaisonLumiere de la saison 🍂🕯️\n"
        "La « Figue d'Automne » sent vraiment la figue, pas le sucre.\n\n"
        "Merci @MaisonLumiere !")
    assert first.title is None and first.language == "fr"
    assert first.created_at == datetime(2026, 10, 3, 9, 15, tzinfo=UTC)
    assert first.hashtags == ["maisonlumiere"]
    assert first.mentions == ["MaisonLumiere@piaille.fr"]
    assert (first.metrics.likes, first.metrics.comments, first.metrics.shares) == (18, 1, 3)
    assert first.metrics.views is None
    (image,) = first.media
    assert image.type is MediaType.IMAGE and (image.width, image.height) == (1536, 2048)
    assert image.url is not None and image.url.endswith("/original/f1e2d3c4.jpeg")
    assert image.alt_text == "Une bougie allumée dans un verre ambré, devant une cheminée"
    author = first.author
    assert author is not None and author.platform_id == "lea_bougies@mastodon.social"
    assert author.handle == "lea_bougies@mastodon.social" and author.display_name == "Léa 🕯️"
    assert (author.followers, author.following, author.post_count) == (342, 198, 2871)
    assert author.bio == "Déco, bougies & café ☕\nNantes"
    assert author.url == "https://mastodon.social/@lea_bougies" and author.verified is None


def test_a_reply_points_to_its_parent_uri_and_links_keep_their_hidden_parts() -> None:
    _, answer, remote = _posts(_load(TAG))
    assert answer.kind is PostKind.REPLY and answer.parent_id == LEA
    # the id is local to the instance queried; the uri is the status's own, on its origin
    assert answer.platform_id == ("https://piaille.fr/users/MaisonLumiere/statuses/"
                                  "113245689999999999")
    assert answer.text == (
        "@lea_bougies Merci Léa 😊 Astuce : coupez la mèche à 5\xa0mm avant chaque allumage.\n"
        "Tout est là : https://www.maisonlumiere.fr/conseils/entretien-bougie")
    assert answer.mentions == ["lea_bougies@mastodon.social"]
    assert answer.author is not None and answer.author.platform_id == "MaisonLumiere@piaille.fr"
    # a reply whose parent is not in the page: still a reply, parent unknown, not invented
    assert remote.kind is PostKind.REPLY and remote.parent_id is None
    assert remote.raw is not None and remote.raw["in_reply_to_id"] == "113245700000000777"
    assert remote.url is None and remote.language is None
    assert remote.hashtags == ["maisonlumiere", "candles"]
    assert remote.author is not None and remote.author.display_name is None
    assert remote.author.bio is None


def test_maps_account_statuses_with_a_boost_a_content_warning_and_media_only() -> None:
    media_only, contest, boost = _posts(_load(ACCOUNT))
    # a local account's acct has no domain: it comes from the account url, same as seen remotely
    assert media_only.author is not None
    assert media_only.author.platform_id == "MaisonLumiere@piaille.fr"
    assert media_only.text is None and media_only.kind is PostKind.REPLY
    assert media_only.parent_id == contest.platform_id
    (gif,) = media_only.media
    assert gif.type is MediaType.GIF and gif.duration_s == 4.2 and gif.alt_text is None
    assert contest.title == "Concours 🎁" and contest.text is not None
    assert contest.text.endswith("Tirage au sort le 10/10. #concours #MaisonLumiere")
    assert contest.hashtags == ["concours", "MaisonLumiere"]
    # a boost is the boosted status, by its own author; the raw keeps the booster
    assert boost.platform_id == ("https://mamot.fr/users/atelier_sophie/statuses/"
                                 "113245819999990000")
    assert boost.author is not None and boost.author.handle == "atelier_sophie@mamot.fr"
    assert boost.text is not None and boost.text.startswith("Petit unboxing")
    assert boost.created_at == datetime(2026, 10, 3, 11, 45, tzinfo=UTC)
    assert boost.metrics.likes == 30 and boost.language == "fr"
    (video,) = boost.media
    assert video.type is MediaType.VIDEO and video.duration_s == 38.12
    assert (video.width, video.height) == (1080, 1920)
    assert boost.raw is not None and boost.raw["account"]["acct"] == "MaisonLumiere"


def test_a_broken_status_is_rejected_and_the_rest_goes_on() -> None:
    page = _load(TAG)
    del page[1]["uri"]
    page[2]["content"] = ""
    items = list(mastodon.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Rejected]
    assert "uri" in items[1].reason and "content" in items[2].reason


def test_reads_search_and_context_responses() -> None:
    statuses = _load(TAG)
    search = {"accounts": [], "statuses": statuses[:2], "hashtags": []}
    found = _posts(search)
    assert len(found) == 2 and found[0].platform_id == LEA and found[1].parent_id == LEA
    context = {"ancestors": statuses[:1], "descendants": statuses[1:2]}
    parent, child = _posts(context)
    assert child.parent_id == parent.platform_id == LEA
    rejected = list(mastodon.parse({"error": "Record not found"}))
    assert len(rejected) == 1 and isinstance(rejected[0], Rejected)


def test_reads_json_lines_of_pages() -> None:
    lines = orjson.dumps(_load(TAG)) + b"\n" + orjson.dumps(_load(ACCOUNT)) + b"\n[1]\n"
    items = list(mastodon.FORMATS[0].read(io.BytesIO(lines)))
    assert sum(isinstance(i, Post) for i in items) == 6
    assert isinstance(items[-1], Rejected) and items[-1].position == "line 3"


def test_html_to_text() -> None:
    assert mastodon.html_to_text("<p>a &lt;b&gt;</p><p>c<br>d</p>") == "a <b>\n\nc\nd"
    assert mastodon.html_to_text("") is None and mastodon.html_to_text(None) is None


def test_sniffs_statuses_only() -> None:
    assert mastodon.sniff(TAG.read_bytes()) > 0.5
    assert mastodon.sniff(ACCOUNT.read_bytes()) > 0.5
    assert mastodon.sniff(ACCOUNT.read_bytes()[:5000]) > 0.5
    assert mastodon.sniff(b'{"accounts": [], "statuses": [], "hashtags": []}') > 0.5
    assert mastodon.sniff(b'{"kind": "Listing", "data": {"children": []}}') == 0.0
    assert mastodon.sniff(b'{"posts": [{"uri": "at://did:plc:x/app.bsky.feed.post/1"}]}') == 0.0
    assert mastodon.sniff(b'[{"id": "1", "text": "hi"}]') == 0.0
    assert mastodon.sniff(b"[]") == 0.0


_KEYS = st.sampled_from([
    "id", "uri", "url", "content", "account", "acct", "reblog", "statuses",
    "ancestors", "descendants", "media_attachments", "meta", "original", "in_reply_to_id"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | _KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_payloads_give_posts_or_rejections_never_an_error(doc: Any) -> None:
    assert all(isinstance(i, Post | Rejected) for i in mastodon.parse(doc))

"""What people who may read a source but not manage it see of its settings."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from confiance.listen.sources import HIDDEN, masked_config


def test_secrets_and_url_queries_are_masked_and_the_rest_kept() -> None:
    config = {"instance": "https://mastodon.social", "hashtag": "MaLumiereAMoi",
              "url": "https://feeds.example.com/avis.xml?token=abc#frag",
              "api_key": "k-123", "nested": {"client_secret": "s", "limit": 40,
                                             "urls": ["http://a.example/x?sig=1"]}}
    assert masked_config(config) == {
        "instance": "https://mastodon.social", "hashtag": "MaLumiereAMoi",
        "url": f"https://feeds.example.com/avis.xml?{HIDDEN}#{HIDDEN}", "api_key": HIDDEN,
        "nested": {"client_secret": HIDDEN, "limit": 40, "urls": [f"http://a.example/x?{HIDDEN}"]}}
    assert masked_config({"url": "http://[::1"})["url"] == HIDDEN  # not a URL it can read
    assert masked_config({"author": "lea", "author_id": "7", "Authorization": "Bearer x",
                          "auth_token": "t"}) == {
        "author": "lea", "author_id": "7", "Authorization": HIDDEN, "auth_token": HIDDEN}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


SECRETS = st.text(string.ascii_letters + string.digits + "-_.~%&=", min_size=6)


@given(st.dictionaries(st.text(), json_values, max_size=6), SECRETS)
def test_masking_never_raises_and_never_shows_a_query(config: dict[str, Any], secret: str
                                                      ) -> None:
    config = {**config, "feed": f"https://x.example/f?k={secret}"}
    shown = masked_config(config)
    assert set(shown) == set(config)
    assert shown["feed"] == f"https://x.example/f?{HIDDEN}" and secret not in shown["feed"]

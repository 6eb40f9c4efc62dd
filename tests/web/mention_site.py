"""The ``site`` of the web tests with the mentions of ``tests/store/mention_data.py``: brand
``a`` is acme's brand, brand ``b`` globex's. Test modules import the fixture from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.store.mention_data import Seeded, seed
from tests.web.conftest import Site


@dataclass
class MentionSite:
    """The site, the seeded posts, and helpers to read them back."""

    site: Site
    seeded: Seeded

    def key(self, post_id: int) -> str:
        """The seed key (``a3``) of a store id."""
        return {v: k for k, v in self.seeded.ids.items()}[post_id]

    def get(self, path: str, role: str = "viewer", workspace: str = "acme",
            **params: Any) -> Any:
        """GET ``path`` as the user with ``role`` in ``workspace``; the JSON answer."""
        answer = self.site.client.get(path, params=params, headers=self.site.as_(role, workspace))
        return answer.json()

    def pages(self, path: str, role: str = "viewer", workspace: str = "acme",
              **params: Any) -> list[list[dict[str, Any]]]:
        """Every page of a list, following ``next``."""
        found, cursor = [], None
        for _ in range(100):
            body = self.get(path, role, workspace, **params,
                            **({"cursor": cursor} if cursor else {}))
            assert "items" in body, body
            found.append(body["items"])
            cursor = body["next"]
            if cursor is None:
                return found
        raise AssertionError("paging never ends")

    def keys(self, path: str, role: str = "viewer", workspace: str = "acme",
             **params: Any) -> list[str]:
        """The seed keys of every item of a list of posts, in order."""
        return [self.key(item["id"]) for page in self.pages(path, role, workspace, **params)
                for item in page]


@pytest.fixture
def mentions_site(site: Site) -> MentionSite:
    """The site with the seeded mentions of acme (brand a) and globex (brand b)."""
    return MentionSite(site, seed(site.engine, site.brand_ids["acme"],
                                  site.brand_ids["globex"]))

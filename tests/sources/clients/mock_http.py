"""Helpers shared by the polling clients' tests: a recording MockTransport and the parsers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from confiance.core.plugins import plugin_manager
from confiance.domain import Post
from confiance.sources.clients.base import Fetched
from confiance.sources.registry import FormatRegistry

REGISTRY = FormatRegistry.from_plugins(plugin_manager(entry_points=False))

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Answers every request with ``handler`` and keeps the requests it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


@contextmanager
def http_client(handler: Handler) -> Iterator[tuple[httpx.Client, Recorder]]:
    """An ``httpx.Client`` whose transport is ``handler``, and the recorder of its requests."""
    recorder = Recorder(handler)
    with httpx.Client(transport=httpx.MockTransport(recorder)) as client:
        yield client, recorder


def answer(status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None,
           content: bytes | None = None) -> httpx.Response:
    """A response with a JSON ``body`` (or raw ``content``)."""
    if content is not None:
        return httpx.Response(status, content=content, headers=headers)
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def posts(format_name: str, fetched: Fetched) -> list[Post]:
    """Parse every payload with the format's own ``parse``; every item must be a Post."""
    fmt = REGISTRY.get(format_name)
    found: list[Post] = []
    for payload in fetched.payloads:
        items = list(fmt.parse(payload))
        assert all(isinstance(i, Post) for i in items), items
        found.extend(i for i in items if isinstance(i, Post))
    return found

"""Polling clients: one module per platform, each fetching one page of raw payloads that the
format of the same name parses (``confiance listen`` runs them)."""

from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    Fetched,
    PollClient,
    RateLimited,
    SourceError,
    Unavailable,
    poll_clients,
    retry_after,
)

__all__ = ["AuthFailed", "BadConfig", "Fetched", "PollClient", "RateLimited", "SourceError",
           "Unavailable", "poll_clients", "retry_after"]

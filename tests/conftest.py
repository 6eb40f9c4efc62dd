"""Shared fixtures; each is named after the variant it sets up."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "sources" / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of recorded payloads, one sub-folder per format name."""
    return FIXTURES

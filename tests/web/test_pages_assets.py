"""Static files and templates: vendored files as recorded, contrast, no inline script."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from confiance.web.pages.templating import ASSETS, STATIC_DIR, TEMPLATE_DIR

ROOT = Path(__file__).parents[2]
VENDORED = sorted((STATIC_DIR / "vendor").glob("*/*.js"))


def test_every_asset_the_templates_name_exists() -> None:
    for name, path in ASSETS.items():
        assert (STATIC_DIR / path).is_file(), name


@pytest.mark.parametrize("path", VENDORED, ids=lambda p: p.name)
def test_vendored_files_are_recorded_with_their_licence(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    third_party = (ROOT / "THIRD_PARTY.md").read_text()
    assert digest in third_party, f"record {path.name} (sha256 {digest}) in THIRD_PARTY.md"
    assert [p for p in path.parent.iterdir() if p.name.startswith("LICENSE")], \
        f"keep the licence text next to {path.name}"


def _colours() -> dict[str, str]:
    css = (STATIC_DIR / "css" / "confiance.css").read_text()
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", css))


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_PAIRS = [("fg", "bg"), ("muted", "bg"), ("muted", "surface"), ("fg", "surface"),
              ("accent", "bg"), ("accent", "surface"), ("accent-fg", "accent"),
              ("header-fg", "header-bg"), ("header-bg", "header-fg"), ("error-fg", "error-bg")]
"""Text colour on background, as the stylesheet uses them: WCAG AA asks 4.5:1."""
UI_PAIRS = [("focus", "bg"), ("focus-on-dark", "header-bg"), ("header-current", "header-bg"),
            ("border", "bg")]
"""Focus rings, the current-page mark and field borders: WCAG asks 3:1."""


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_contrast(fg: str, bg: str) -> None:
    colours = _colours()
    assert _contrast(colours[fg], colours[bg]) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), UI_PAIRS)
def test_interface_contrast(fg: str, bg: str) -> None:
    colours = _colours()
    assert _contrast(colours[fg], colours[bg]) >= 3


def test_css_has_no_colour_outside_its_palette() -> None:
    css = (STATIC_DIR / "css" / "confiance.css").read_text()
    body = css.split("}", 1)[1]  # everything after :root
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", body)


@pytest.mark.parametrize("template", sorted(TEMPLATE_DIR.rglob("*.html")),
                         ids=lambda p: p.name)
def test_templates_have_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", text)
    assert not re.search(r"\s(style|on[a-z]+)=", text)
    assert "<style" not in text
    for found in re.finditer(r"<input\b[^>]*>", text):
        tag = found.group(0)
        assert 'type="hidden"' in tag or 'id="{{ name }}"' in tag, \
            f"{template.name}: every visible field goes through ui.field (it has a label): {tag}"

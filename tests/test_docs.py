"""Docs that cannot drift: every command, setting, error code, hook and format is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from confiance.cli import app
from confiance.core.errors import CATALOGUE
from confiance.core.hookspecs import ConfianceSpec
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.sources.registry import FormatRegistry

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def _commands(group: Any, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, f"{path} "))
        else:
            found.append(path)
    return found


def test_every_cli_command_is_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(typer.main.get_command(app))
    assert len(commands) >= 8
    missing = [c for c in commands if f"confiance {c}" not in text]
    assert not missing, f"document these commands in docs/cli.md: {missing}"


def test_every_error_code_is_in_docs_errors() -> None:
    text = (DOCS / "errors.md").read_text()
    missing = [code for code in CATALOGUE if f"`{code}`" not in text]
    assert not missing, f"document these codes in docs/errors.md: {missing}"


def test_every_setting_is_in_docs_settings() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [f"CONFIANCE_{name.upper()}" for name in Settings.model_fields
               if f"CONFIANCE_{name.upper()}" not in text]
    assert not missing, f"document these settings in docs/settings.md: {missing}"


def test_every_hook_is_in_docs_plugins() -> None:
    text = (DOCS / "plugins.md").read_text()
    hooks = [n for n in vars(ConfianceSpec) if n.startswith("confiance_")]
    assert hooks and all(f"`{hook}`" in text for hook in hooks)


def test_every_format_has_a_page_linked_from_the_importers_guide() -> None:
    index = (DOCS / "importers.md").read_text()
    for fmt in FormatRegistry.from_plugins(plugin_manager(entry_points=False)):
        page = DOCS / "formats" / f"{fmt.name}.md"
        assert page.is_file(), f"write {page.relative_to(ROOT)}"
        assert f"formats/{fmt.name}.md" in index, f"link {fmt.name} from docs/importers.md"


@pytest.mark.parametrize("doc", ["README.md", "docs/architecture.md"])
def test_python_version_in_docs_matches_the_package(doc: str) -> None:
    required = re.search(r'requires-python = ">=(\d+\.\d+)"',
                         (ROOT / "pyproject.toml").read_text())
    assert required is not None
    versions = set(re.findall(r"Python (\d+\.\d+)", (ROOT / doc).read_text()))
    assert versions <= {required.group(1)}, f"{doc} names {versions}"


def test_every_relative_link_between_documents_resolves() -> None:
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS.rglob("*.md")]
    broken = [f"{page.relative_to(ROOT)} -> {target}" for page in pages
              for target in re.findall(r"\]\(([^)#\s:]+\.md)(?:#[^)\s]*)?\)", page.read_text())
              if not (page.parent / target).resolve().is_file()]
    assert not broken, f"fix these links: {broken}"

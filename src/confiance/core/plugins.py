"""The plugin manager: built-ins and third-party plugins load through entry points."""

from __future__ import annotations

import pluggy

from confiance.core.hookspecs import PROJECT, ConfianceSpec


def plugin_manager(*, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager; with ``entry_points`` it loads every ``confiance`` entry point.

    The built-in formats, notifiers and polling clients are themselves entry points of this
    package (``confiance.sources.builtin``, ``confiance.listen.alerts.builtin``,
    ``confiance.sources.clients.builtin``); they are also registered directly so that a source
    checkout that was never installed still works.
    """
    from confiance.listen.alerts import builtin as builtin_notifiers
    from confiance.sources import builtin
    from confiance.sources.clients import builtin as builtin_clients

    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(ConfianceSpec)
    if entry_points:
        manager.load_setuptools_entrypoints(PROJECT)
    if not manager.is_registered(builtin):
        manager.register(builtin, name="confiance.sources.builtin")
    if not manager.is_registered(builtin_notifiers):
        manager.register(builtin_notifiers, name="confiance.listen.alerts.builtin")
    if not manager.is_registered(builtin_clients):
        manager.register(builtin_clients, name="confiance.sources.clients.builtin")
    return manager

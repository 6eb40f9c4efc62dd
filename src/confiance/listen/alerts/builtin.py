"""The built-in notifiers (e-mail, webhook, app), registered through the same hook as
third-party plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from confiance.core.hookspecs import hookimpl

if TYPE_CHECKING:
    from confiance.core.settings import Settings
    from confiance.listen.alerts.notify import Notifier


@hookimpl
def confiance_notifiers(settings: Settings) -> list[Notifier]:
    """Return the built-in notifiers, configured from ``settings``."""
    from confiance.listen.alerts.notify import AppNotifier
    from confiance.listen.alerts.notify_email import EmailNotifier
    from confiance.listen.alerts.notify_webhook import WebhookNotifier

    return [
        EmailNotifier.from_settings(settings),
        WebhookNotifier.from_settings(settings),
        AppNotifier(),
    ]

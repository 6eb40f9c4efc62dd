"""Roles in a workspace and what each may do.

Owner > analyst > moderator > viewer. Every route names the action it needs; a role either
grants it or the request fails with E604 (the role and the action named).
"""

from __future__ import annotations

from enum import StrEnum

from confiance.core.errors import ConfianceError


class Role(StrEnum):
    """A member's role in a workspace."""

    OWNER = "owner"
    ANALYST = "analyst"
    MODERATOR = "moderator"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a request does, as far as permissions go."""

    READ = "read"
    """See brands, mentions, authors, dashboards; export them."""
    CORRECT = "correct"
    """Correct a sentiment or topic label (feeds retraining)."""
    EDIT_BRAND = "edit_brand"
    """Create brands, edit their queries, hashtags and competitors."""
    MANAGE_MEMBERS = "manage_members"
    """Add, change and remove members; delete brands; read the audit log."""
    HANDLE_ALERTS = "handle_alerts"
    """Acknowledge and resolve a brand's crisis alerts."""
    MANAGE_ALERT_RULES = "manage_alert_rules"
    """Add, change, disable and delete a brand's alert rules (who is told, how, when)."""
    MANAGE_SOURCES = "manage_sources"
    """Add, pause, resume and remove a brand's listening sources; rotate push secrets."""


GRANTS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.ANALYST: frozenset({Action.READ, Action.CORRECT, Action.EDIT_BRAND,
                             Action.HANDLE_ALERTS, Action.MANAGE_ALERT_RULES,
                             Action.MANAGE_SOURCES}),
    Role.MODERATOR: frozenset({Action.READ, Action.CORRECT, Action.HANDLE_ALERTS}),
    Role.VIEWER: frozenset({Action.READ}),
}


def parse_role(value: str) -> Role:
    """The role named ``value`` (any case); E609 listing the roles otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ConfianceError("E609", role=value,
                             allowed=", ".join(r.value for r in Role)) from None


def can(role: Role, action: Action) -> bool:
    """Whether ``role`` may do ``action``."""
    return action in GRANTS[role]


def require(role: Role, action: Action, workspace: str) -> None:
    """Raise E604 unless ``role`` may do ``action`` in ``workspace``."""
    if not can(role, action):
        raise ConfianceError("E604", role=role.value, action=action.value, workspace=workspace)

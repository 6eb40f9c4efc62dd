"""``/brands/{id}/alert-rules``: the rules that say who hears about a brand's alerts, how
and when.

Every member of the brand's workspace reads rules; owners and analysts add, change and delete
them (``manage_alert_rules``); any other role gets E604. A rule of another brand or workspace
answers E605, exactly like one that does not exist. The store
(:mod:`confiance.store.alert_rules`) validates, records and audits; this module masks the
channels' secrets and turns records into JSON.

A webhook's address is its secret (Slack and Teams put the token in the path): the API only
ever answers it masked, as its scheme and host and its last 4 characters
(``https://hooks.slack.com/…Xy7Q``). A rule sent back with a masked address unchanged keeps
the stored one, so a client can change a rule without knowing its secrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from confiance.auth.roles import Action
from confiance.core.errors import ConfianceError
from confiance.store import alert_rules
from confiance.store.alert_rules import BUILTIN_KINDS, MAX_CHANNELS, Channel, Param, Rule
from confiance.web.api.alerts import MASK, found_or_e605, mask_target, printable
from confiance.web.api.brands import visible
from confiance.web.deps import Conn, CurrentPrincipal, get_settings
from confiance.web.schemas import PathId

router = APIRouter(tags=["alerts"])

# --- channels' secrets -------------------------------------------------------------------------


def unmask(channels: Sequence[Mapping[str, Any]], current: Sequence[Channel]
           ) -> list[dict[str, Any]]:
    """``channels`` as sent, each masked target sent back unchanged replaced by the stored
    target it stands for (E717 or E718 for a masked target that stands for none)."""
    left = list(current)
    found = []
    for raw in channels:
        item = dict(raw)
        target = item.get("target")
        if isinstance(target, str) and MASK in target:
            match = next((c for c in left if c.kind == item.get("kind")
                          and mask_target(c.kind, c.target) == target), None)
            if match is None:
                raise ConfianceError("E717" if item.get("kind") == "webhook" else "E718",
                                     reason="it is a masked address that stands for none of "
                                     "the rule's channels; give the full address")
            left.remove(match)
            item["target"] = match.target
        found.append(item)
    return found


def channel_kinds(request: Request) -> tuple[str, ...]:
    """The channel kinds a rule may use: the built-in ones and those of installed notifier
    plugins (collected once per app)."""
    found: tuple[str, ...] | None = getattr(request.app.state, "alert_channel_kinds", None)
    if found is None:
        from confiance.listen.alerts.notify import load_notifiers

        found = tuple(sorted(set(BUILTIN_KINDS) | set(load_notifiers(get_settings(request)))))
        request.app.state.alert_channel_kinds = found
    return found



# --- bodies -------------------------------------------------------------------------------------


class ChannelIn(BaseModel):
    """Where a rule's messages go: ``email`` (an address), ``webhook`` (an https:// URL),
    ``app`` (no target: the web app) or a kind a plugin adds; ``digest``: one message a day
    instead of one per alert."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=50, examples=["webhook"])
    target: str | None = Field(default=None, max_length=2000,
                               examples=["https://hooks.slack.com/services/T0/B0/XXXX"])
    digest: bool = False
    language: Literal["fr", "en"] = "fr"
    masked: bool | None = Field(default=None, description=(
        "Ignored: a channel may be sent back as the API answered it"))


class ChannelOut(BaseModel):
    """A channel of a rule; ``masked`` when ``target`` is not shown in full."""

    kind: str
    target: str
    masked: bool
    digest: bool
    language: str

    @classmethod
    def of(cls, channel: Channel) -> ChannelOut:
        """The body for ``channel``, its secret masked."""
        shown = mask_target(channel.kind, channel.target)
        return cls(kind=channel.kind, target=shown, masked=shown != channel.target,
                   digest=channel.digest, language=channel.language)


class RuleOut(BaseModel):
    """An alert rule: the alerts it covers (``detector`` and ``scope``, null for all; at
    least ``min_severity``), its channels, quiet hours and threshold overrides."""

    id: int
    brand_id: int
    detector: str | None
    scope: str | None
    enabled: bool
    min_severity: int
    params: dict[str, Param]
    quiet_start: str | None
    quiet_end: str | None
    timezone: str | None
    channels: list[ChannelOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rule: Rule) -> RuleOut:
        """The body for ``rule``."""
        values = {name: getattr(rule, name) for name in cls.model_fields if name != "channels"}
        return cls(**values, channels=[ChannelOut.of(c) for c in rule.channels])


class RuleIn(BaseModel):
    """A new alert rule; quiet hours are two ``HH:MM`` times in ``timezone`` (or neither)."""

    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelIn] = Field(max_length=MAX_CHANNELS)
    detector: str | None = Field(default=None, max_length=50, examples=["volume"])
    scope: str | None = Field(default=None, max_length=100, examples=["all"])
    enabled: bool = True
    min_severity: int = Field(default=1, examples=[3])
    params: dict[str, Param] | None = Field(
        default=None, examples=[{"volume_min_score": 8, "extra_risk_terms": ["fuite*"]}])
    quiet_start: str | None = Field(default=None, max_length=10, examples=["22:00"])
    quiet_end: str | None = Field(default=None, max_length=10, examples=["07:00"])
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Paris"])


class RuleUpdate(BaseModel):
    """Changes to a rule: only the fields sent change (``null`` clears detector, scope,
    params and quiet hours). Channels are replaced as a whole; a masked target sent back
    unchanged keeps the stored one."""

    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelIn] | None = Field(default=None, max_length=MAX_CHANNELS)
    detector: str | None = Field(default=None, max_length=50)
    scope: str | None = Field(default=None, max_length=100)
    enabled: bool | None = None
    min_severity: int | None = None
    params: dict[str, Param] | None = None
    quiet_start: str | None = Field(default=None, max_length=10)
    quiet_end: str | None = Field(default=None, max_length=10)
    timezone: str | None = Field(default=None, max_length=64)


# --- routes: rules ------------------------------------------------------------------------------


def _channels(items: Sequence[ChannelIn]) -> list[dict[str, Any]]:
    for item in items:
        printable(item.target, "target")
    return [item.model_dump(exclude={"masked"}) for item in items]


@router.get("/brands/{brand_id}/alert-rules", response_model=list[RuleOut])
def list_rules(brand_id: PathId, principal: CurrentPrincipal, conn: Conn) -> list[RuleOut]:
    """The brand's alert rules, oldest first (webhook addresses masked)."""
    visible(principal, conn, brand_id)
    return [RuleOut.of(rule) for rule in alert_rules.list_rules(conn, brand_id)]


@router.post("/brands/{brand_id}/alert-rules", response_model=RuleOut, status_code=201)
def create_rule(brand_id: PathId, body: RuleIn, principal: CurrentPrincipal, conn: Conn,
                request: Request) -> RuleOut:
    """Add a rule (owners and analysts; audited): E713-E722 name the first value that cannot
    be used.

    Example: `{"min_severity": 3, "quiet_start": "22:00", "quiet_end": "07:00", "timezone":
    "Europe/Paris", "channels": [{"kind": "email", "target": "veille@example.org"}]}`
    """
    visible(principal, conn, brand_id, Action.MANAGE_ALERT_RULES)
    values = body.model_dump(exclude={"channels"})
    rule = alert_rules.add_rule(conn, brand_id, channels=_channels(body.channels), **values,
                                kinds=channel_kinds(request), user_id=principal.user.id)
    return RuleOut.of(rule)


@router.get("/brands/{brand_id}/alert-rules/{rule_id}", response_model=RuleOut)
def get_rule(brand_id: PathId, rule_id: PathId, principal: CurrentPrincipal,
             conn: Conn) -> RuleOut:
    """One rule (webhook addresses masked)."""
    visible(principal, conn, brand_id)
    with found_or_e605("alert rule", rule_id, brand_id):
        return RuleOut.of(alert_rules.get_rule(conn, brand_id, rule_id))


@router.patch("/brands/{brand_id}/alert-rules/{rule_id}", response_model=RuleOut)
def update_rule(brand_id: PathId, rule_id: PathId, body: RuleUpdate,
                principal: CurrentPrincipal, conn: Conn, request: Request) -> RuleOut:
    """Change some fields of a rule, `{"enabled": false}` to disable it (owners and
    analysts; audited, without the values); the result is checked as a whole (E713-E722,
    nothing changes)."""
    visible(principal, conn, brand_id, Action.MANAGE_ALERT_RULES)
    changes = body.model_dump(exclude_unset=True)
    with found_or_e605("alert rule", rule_id, brand_id):
        current = alert_rules.get_rule(conn, brand_id, rule_id)
    if "channels" in changes:
        if body.channels is None:
            raise ConfianceError("E718", reason="channels is a list of objects")
        changes["channels"] = unmask(_channels(body.channels), current.channels)
    rule = alert_rules.update_rule(conn, brand_id, rule_id, kinds=channel_kinds(request),
                                   user_id=principal.user.id, **changes)
    return RuleOut.of(rule)


@router.delete("/brands/{brand_id}/alert-rules/{rule_id}", status_code=204)
def delete_rule(brand_id: PathId, rule_id: PathId, principal: CurrentPrincipal,
                conn: Conn) -> None:
    """Delete a rule and the messages it still had to send (owners and analysts; audited)."""
    visible(principal, conn, brand_id, Action.MANAGE_ALERT_RULES)
    with found_or_e605("alert rule", rule_id, brand_id):
        alert_rules.delete_rule(conn, brand_id, rule_id, user_id=principal.user.id)

"""A brand's alert rules in the web app: add, change, disable and delete them.

The rules are listed on the alerts page (``alerts_page``); ``router`` holds their own routes,
added by ``pages.install``, all for owners and analysts (``Action.MANAGE_ALERT_RULES``; E604
for any other role, E605 for a rule of another brand):

- ``GET /brands/{id}/alert-rules/new`` and ``POST /brands/{id}/alert-rules``: a new rule;
- ``GET /brands/{id}/alert-rules/{rule_id}`` and ``POST`` to it: change a rule;
- ``POST /brands/{id}/alert-rules/{rule_id}/enabled`` (``enabled=1`` or ``0``) and
  ``.../delete``: as ``PATCH`` and ``DELETE /api/v1/brands/{id}/alert-rules/{rule_id}`` do.

The form is checked field by field with the store's own validation
(:func:`confiance.store.alert_rules.validate`), so that every mistake is shown next to its
field at once (E713-E722) and nothing is saved until none is left. A webhook address is shown
masked, as the API shows it; left unchanged, the stored address is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection
from starlette.datastructures import FormData
from starlette.responses import Response

from confiance.auth.roles import Action
from confiance.core.errors import ConfianceError
from confiance.store import alert_rules
from confiance.store.alert_rules import MAX_CHANNELS, Channel, Rule
from confiance.web.api import alert_rules as rules_api
from confiance.web.api import alerts as alerts_api
from confiance.web.api.alert_rules import RuleUpdate, channel_kinds
from confiance.web.api.alerts import MASK, mask_target
from confiance.web.deps import CurrentPrincipal, Principal, get_engine
from confiance.web.pages.alerts_page import alerts_frame, roles_of, shared_context
from confiance.web.pages.error_pages import redirect
from confiance.web.pages.frame import Frame
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

EMPTY_ROWS = 2
"""Blank channel rows the form offers besides the rule's channels."""
DEFAULT_TIMEZONE = "Europe/Paris"
FIELD_CHECKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("detector", ("detector",)), ("scope", ("scope",)), ("min_severity", ("min_severity",)),
    ("quiet", ("quiet_start", "quiet_end")), ("timezone", ("timezone",)),
    ("params", ("params",)))
"""Each field of the form (``quiet``: the two quiet-hours times) and the values it checks."""
FIELD_OF = {"E713": "quiet", "E714": "timezone", "E719": "min_severity", "E720": "detector",
            "E721": "scope", "E722": "params"}
"""The field a store error is shown next to (``channels`` for any other)."""
_PROBE = [{"kind": "app"}]
RISK_WORDS = "extra_risk_terms"
"""The detector setting the form's crisis-words field edits."""

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@dataclass
class ChannelRow:
    """A channel row of the form, as shown (a webhook address masked) or as typed."""

    index: int
    kind: str = ""
    target: str = ""
    digest: bool = False
    language: str = "fr"
    error: ConfianceError | None = None

    @property
    def blank(self) -> bool:
        """Whether the row was left empty (it is then ignored)."""
        return not self.kind and not self.target.strip()


@dataclass
class RuleForm:
    """The rule form's fields as text, and the mistakes found in them (by field)."""

    detector: str = ""
    scope: str = ""
    min_severity: str = "1"
    enabled: bool = True
    quiet_start: str = ""
    quiet_end: str = ""
    timezone: str = DEFAULT_TIMEZONE
    params: str = ""
    risk_words: str = ""
    """The brand's own crisis words, comma-separated (``extra_risk_terms`` of the params)."""
    channels: list[ChannelRow] = field(default_factory=list)
    errors: dict[str, ConfianceError] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """Whether a field or a channel row has a mistake."""
        return bool(self.errors) or any(row.error for row in self.channels)

    @classmethod
    def of(cls, rule: Rule | None) -> RuleForm:
        """The form of a stored rule (a new rule's defaults for ``None``), with blank rows."""
        if rule is None:
            return cls(channels=_with_blanks([]))
        rows = [ChannelRow(index=i, kind=c.kind, target=mask_target(c.kind, c.target),
                           digest=c.digest, language=c.language)
                for i, c in enumerate(rule.channels)]
        params = dict(rule.params)
        words = params.pop(RISK_WORDS, [])
        return cls(detector=rule.detector or "", scope=rule.scope or "",
                   min_severity=str(rule.min_severity), enabled=rule.enabled,
                   quiet_start=rule.quiet_start or "", quiet_end=rule.quiet_end or "",
                   timezone=rule.timezone or "",
                   params=json.dumps(params, ensure_ascii=False) if params else "",
                   risk_words=", ".join(words) if isinstance(words, list) else "",
                   channels=_with_blanks(rows))

    @classmethod
    def read(cls, form: FormData) -> RuleForm:
        """The form as posted."""
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:2000] if isinstance(value, str) else ""

        rows = [ChannelRow(index=i, kind=text(f"channel_kind_{i}"),
                           target=text(f"channel_target_{i}"),
                           digest=text(f"channel_digest_{i}") == "1",
                           language=text(f"channel_language_{i}") or "fr")
                for i in range(MAX_CHANNELS + EMPTY_ROWS)
                if f"channel_kind_{i}" in form or f"channel_target_{i}" in form]
        return cls(detector=text("detector"), scope=text("scope"),
                   min_severity=text("min_severity"), enabled=text("enabled") == "1",
                   quiet_start=text("quiet_start"), quiet_end=text("quiet_end"),
                   timezone=text("timezone"), params=text("params"),
                   risk_words=text("risk_words"), channels=rows)

    def checked(self, kinds: Sequence[str], current: Sequence[Channel]) -> dict[str, Any] | None:
        """The rule's values for the store when every field is right; ``None`` otherwise,
        the mistakes recorded in ``errors`` and in the channel rows."""
        values = self._values()
        for name, keys in FIELD_CHECKS:
            if name not in self.errors:
                try:
                    alert_rules.validate({**{k: values[k] for k in keys}, "channels": _PROBE},
                                         kinds=kinds)
                except ConfianceError as error:
                    self.errors[name] = error
        values["channels"] = self._channels(kinds, current)
        if self.has_errors:
            return None
        try:
            alert_rules.validate(values, kinds=kinds)
        except ConfianceError as error:
            self.errors[FIELD_OF.get(error.code, "channels")] = error
            return None
        return values

    def _values(self) -> dict[str, Any]:
        params: Any = None
        if self.params:
            try:
                params = json.loads(self.params)
            except ValueError:
                self.errors["params"] = ConfianceError("E722", reason="it is not JSON")
        # One word per entry: "fuite de cire" is refused, not watched as three words.
        words = [w.strip() for w in re.split(r"[,;\n]+", self.risk_words) if w.strip()]
        if words:
            try:
                alert_rules.check_params({RISK_WORDS: words})
            except ConfianceError as error:
                self.errors["risk_words"] = error
            else:
                params = {} if params is None else params
                if isinstance(params, dict):
                    typed = params.get(RISK_WORDS)
                    earlier = typed if isinstance(typed, list) else []
                    params[RISK_WORDS] = list(dict.fromkeys([*earlier, *words]))
        severity: Any = int(self.min_severity) if self.min_severity.isascii() \
            and self.min_severity.isdigit() and len(self.min_severity) < 3 else self.min_severity
        return {"detector": self.detector or None, "scope": self.scope or None,
                "enabled": self.enabled, "min_severity": severity, "params": params,
                "quiet_start": self.quiet_start or None, "quiet_end": self.quiet_end or None,
                "timezone": self.timezone or None}

    def _channels(self, kinds: Sequence[str], current: Sequence[Channel]
                  ) -> list[dict[str, Any]]:
        """The rows that are not blank, each checked on its own (masked addresses that were
        left unchanged stand for the stored ones)."""
        left = list(current)
        found = []
        for row in self.channels:
            if row.blank:
                continue
            raw: dict[str, Any] = {"kind": row.kind, "target": row.target or None,
                                   "digest": row.digest, "language": row.language}
            try:
                if not row.kind:
                    raise ConfianceError("E715", kind="", known=", ".join(kinds))
                if MASK in row.target:
                    raw = rules_api.unmask([raw], left)[0]
                    left = _without(left, row.kind, raw["target"])
                alert_rules.validate({"channels": [raw]}, kinds=kinds)
            except ConfianceError as error:
                row.error = error
                continue
            found.append(raw)
        return found


def _without(channels: list[Channel], kind: str, target: str) -> list[Channel]:
    """``channels`` less the first of this kind and target."""
    for position, channel in enumerate(channels):
        if channel.kind == kind and channel.target == target:
            return channels[:position] + channels[position + 1:]
    return channels


def _with_blanks(rows: list[ChannelRow]) -> list[ChannelRow]:
    """``rows`` and the blank rows after them (at most :data:`MAX_CHANNELS` rows in all)."""
    room = max(0, min(EMPTY_ROWS, MAX_CHANNELS - len(rows)))
    return rows + [ChannelRow(index=len(rows) + n) for n in range(room)]


# --- the form page ------------------------------------------------------------------------------


def _form_page(request: Request, frame: Frame, conn: Connection, form: RuleForm,
               rule: Rule | None, *, status_code: int = 200) -> Response:
    assert frame.brand is not None
    brand_id = frame.brand.id
    action = f"/brands/{brand_id}/alert-rules" + ("" if rule is None else f"/{rule.id}")
    context = {"frame": frame, "form": form, "rule": rule, "action": action,
               "kinds": channel_kinds(request), "list_url": f"/brands/{brand_id}/alerts#rules",
               **shared_context(frame, roles_of(frame))}
    return templates_of(request).render("brand/alerts/rule_form.html", frame.locale, context,
                                        status_code=status_code)


def _rule(conn: Connection, brand_id: int, rule_id: int) -> Rule:
    with alerts_api.found_or_e605("alert rule", rule_id, brand_id):
        return alert_rules.get_rule(conn, brand_id, rule_id)


@router.get("/brands/{brand_id}/alert-rules/new")
def new_rule(brand_id: BrandId, principal: CurrentPrincipal, request: Request) -> Response:
    """The form of a new rule (owners and analysts)."""
    with get_engine(request).connect() as conn:
        frame = alerts_frame(request, conn, principal, brand_id, Action.MANAGE_ALERT_RULES)
        return _form_page(request, frame, conn, RuleForm.of(None), None)


@router.get("/brands/{brand_id}/alert-rules/{rule_id}")
def edit_rule(brand_id: BrandId, rule_id: RuleId, principal: CurrentPrincipal,
              request: Request) -> Response:
    """The form of one of the brand's rules (owners and analysts)."""
    with get_engine(request).connect() as conn:
        frame = alerts_frame(request, conn, principal, brand_id, Action.MANAGE_ALERT_RULES)
        rule = _rule(conn, brand_id, rule_id)
        return _form_page(request, frame, conn, RuleForm.of(rule), rule)


@router.post("/brands/{brand_id}/alert-rules")
async def add_rule(brand_id: BrandId, principal: CurrentPrincipal, request: Request) -> Response:
    """Add the rule of the form, or show the form again with its mistakes (422)."""
    form = RuleForm.read(await request.form())
    return await run_in_threadpool(_save, request, principal, brand_id, None, form)


@router.post("/brands/{brand_id}/alert-rules/{rule_id}")
async def save_rule(brand_id: BrandId, rule_id: RuleId, principal: CurrentPrincipal,
                    request: Request) -> Response:
    """Change the rule as the form says, or show the form again with its mistakes (422)."""
    form = RuleForm.read(await request.form())
    return await run_in_threadpool(_save, request, principal, brand_id, rule_id, form)


def _save(request: Request, principal: Principal, brand_id: int, rule_id: int | None,
          form: RuleForm) -> Response:
    kinds = channel_kinds(request)
    with get_engine(request).begin() as conn:
        frame = alerts_frame(request, conn, principal, brand_id, Action.MANAGE_ALERT_RULES)
        rule = None if rule_id is None else _rule(conn, brand_id, rule_id)
        values = form.checked(kinds, () if rule is None else rule.channels)
        if values is None:
            if not form.channels or not form.channels[-1].blank:
                form.channels = _with_blanks(form.channels)[:MAX_CHANNELS]
            return _form_page(request, frame, conn, form, rule, status_code=422)
        if rule is None:
            alert_rules.add_rule(conn, brand_id, **values, kinds=kinds,
                                 user_id=principal.user.id)
        else:
            alert_rules.update_rule(conn, brand_id, rule.id, kinds=kinds,
                                    user_id=principal.user.id, **values)
    done = "added" if rule is None else "saved"
    return redirect(request, f"/brands/{brand_id}/alerts?rule={done}#rules")


@router.post("/brands/{brand_id}/alert-rules/{rule_id}/enabled")
def set_enabled(brand_id: BrandId, rule_id: RuleId, principal: CurrentPrincipal,
                request: Request, enabled: Annotated[str, Form(max_length=1)] = "1"
                ) -> Response:
    """Enable (``enabled=1``) or disable (``0``) the rule, as ``PATCH`` does."""
    on = enabled == "1"
    with get_engine(request).begin() as conn:
        rules_api.update_rule(brand_id, rule_id, RuleUpdate(enabled=on), principal, conn,
                              request)
    return redirect(request, f"/brands/{brand_id}/alerts?rule="
                    f"{'enabled' if on else 'disabled'}#rules")


@router.post("/brands/{brand_id}/alert-rules/{rule_id}/delete")
def delete_rule(brand_id: BrandId, rule_id: RuleId, principal: CurrentPrincipal,
                request: Request) -> Response:
    """Delete the rule and the messages it still had to send, as ``DELETE`` does."""
    with get_engine(request).begin() as conn:
        rules_api.delete_rule(brand_id, rule_id, principal, conn)
    return redirect(request, f"/brands/{brand_id}/alerts?rule=deleted#rules")


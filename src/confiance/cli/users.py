"""``confiance user``, ``workspace`` and ``token``: accounts from the command line.

Whoever runs these commands has the database itself, so they act as the administrator; each
change is written to the audit log with ``cli`` as the actor.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from confiance.auth.passwords import check_strength
from confiance.auth.roles import parse_role
from confiance.cli.context import app_context
from confiance.cli.output import console, print_json, rows_table
from confiance.core.errors import ConfianceError
from confiance.store import accounts, audit, credentials, workspaces
from confiance.store.runs import utcnow

user_app = typer.Typer(help="Manage users and their roles.", no_args_is_help=True)
workspace_app = typer.Typer(help="Manage workspaces (a team's brands).", no_args_is_help=True)
token_app = typer.Typer(help="Manage personal API tokens.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input.")]
WorkspaceOpt = Annotated[str | None, typer.Option(
    help="The workspace's name (default: the first workspace).")]
ACTOR = "cli"


def register(app: typer.Typer) -> None:
    """Add ``user``, ``workspace`` and ``token`` to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(workspace_app, name="workspace")
    app.add_typer(token_app, name="token")


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt (E620
    when none is given, E610 when it is too weak)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True,
                                default="", show_default=False)
    else:
        password = ""
    if not password:
        raise ConfianceError("E620")
    check_strength(password)
    return password


@user_app.command("add", epilog="""\b
Examples:
  confiance user add analyste@example.org --role analyst --workspace "Maison Lumière"
  echo "$PASSWORD" | confiance user add ci@example.org --role viewer --password-stdin
""")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    role: Annotated[str, typer.Option(help="owner, analyst, moderator or viewer.")],
    workspace: WorkspaceOpt = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    locale: Annotated[str, typer.Option(help="Interface language: fr or en.")] = "fr",
    password_stdin: PasswordStdin = False,
    json_output: JsonOpt = False,
) -> None:
    """Create a user with a role in a workspace, or give an existing user a role there.

    A new user's password is asked at a prompt (twice), or read from standard input with
    --password-stdin; an existing user keeps theirs.
    """
    member_role = parse_role(role)
    engine = app_context(ctx).ready_engine()
    with engine.begin() as conn:
        address = accounts.normalise_email(email)
        existing = accounts.find(conn, address)
        workspace_id = (workspaces.resolve(conn, workspace) if workspace
                        else workspaces.default_id(conn))
    created = existing is None
    if created:
        password = read_password(password_stdin)
    with engine.begin() as conn:
        if created:
            user_id = accounts.create_user(conn, address, password, display_name=name,
                                           locale=locale)
        else:
            assert existing is not None
            user_id = existing.id
        accounts.set_role(conn, user_id, workspace_id, member_role)
        audit.record(conn, "member.add", actor=ACTOR, workspace_id=workspace_id,
                     target=address, details={"role": member_role.value, "created": created})
        workspace_name = next(w.name for w in workspaces.list_all(conn) if w.id == workspace_id)
    if json_output:
        print_json({"id": user_id, "email": address, "created": created,
                    "workspace": workspace_name, "role": member_role.value})
    else:
        what = "Created" if created else "Updated"
        console().print(f"{what} {escape(address)}: {member_role.value} of workspace "
                        f"{escape(workspace_name)}.")


@user_app.command("password")
def password(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a user's password (they are signed out everywhere)."""
    engine = app_context(ctx).ready_engine()
    with engine.connect() as conn:
        user = accounts.require(conn, email)
    new = read_password(password_stdin)
    with engine.begin() as conn:
        accounts.set_password(conn, user.id, new)
        credentials.close_sessions_of(conn, user.id)
        audit.record(conn, "user.password", actor=ACTOR, target=user.email)
    console().print(f"Password of {escape(user.email)} changed; their sessions are closed.")


@user_app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    enable: Annotated[bool, typer.Option("--enable", help="Re-activate instead.")] = False,
) -> None:
    """Stop a user from signing in (their tokens and sessions stop working), or --enable."""
    engine = app_context(ctx).ready_engine()
    with engine.begin() as conn:
        user = accounts.require(conn, email)
        accounts.update_user(conn, user.id, is_active=enable)
        if not enable:
            credentials.close_sessions_of(conn, user.id)
        audit.record(conn, "user.enable" if enable else "user.deactivate", actor=ACTOR,
                     target=user.email)
    console().print(f"{escape(user.email)} is {'active' if enable else 'deactivated'}.")


@user_app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None,
          json_output: JsonOpt = False) -> None:
    """List users with their role in each workspace."""
    engine = app_context(ctx).ready_engine()
    rows = []
    with engine.connect() as conn:
        chosen = [workspaces.resolve(conn, workspace)] if workspace else None
        for space in workspaces.list_all(conn):
            if chosen is not None and space.id not in chosen:
                continue
            for user, role in accounts.members(conn, space.id):
                rows.append({"email": user.email, "workspace": space.name, "role": role.value,
                             "active": user.is_active, "last_login_at": user.last_login_at})
    if json_output:
        print_json({"users": rows})
    else:
        console().print(rows_table("Users", rows, ["email", "workspace", "role", "active",
                                                   "last_login_at"]))


@workspace_app.command("add")
def workspace_add(ctx: typer.Context,
                  name: Annotated[str, typer.Argument(help="The workspace's name.")],
                  json_output: JsonOpt = False) -> None:
    """Create a workspace; then give it brands (`brand add --workspace`) and members."""
    engine = app_context(ctx).ready_engine()
    workspace_id = workspaces.create(engine, name)
    with engine.begin() as conn:
        audit.record(conn, "workspace.create", actor=ACTOR, workspace_id=workspace_id,
                     target=name)
    if json_output:
        print_json({"id": workspace_id, "name": name})
    else:
        console().print(f"Created workspace {escape(name)}.")


@workspace_app.command("list")
def workspace_list(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """List workspaces."""
    engine = app_context(ctx).ready_engine()
    with engine.connect() as conn:
        rows = [{"id": w.id, "name": w.name} for w in workspaces.list_all(conn)]
    if json_output:
        print_json({"workspaces": rows})
    else:
        console().print(rows_table("Workspaces", rows, ["id", "name"]))


@token_app.command("create", epilog="""\b
Example:
  confiance token create --user analyste@example.org --name "nightly export" --json
""")
def token_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option(help="The e-mail address of the token's owner.")],
    name: Annotated[str, typer.Option(help="A name to recognise the token by.")] = "cli",
    expires_days: Annotated[int | None, typer.Option(
        min=1, max=3650, help="Days until it stops working (default: never).")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Create a personal API token and print it once: it cannot be shown again.

    Send it as `Authorization: Bearer TOKEN`; it has the user's roles.
    """
    from datetime import timedelta

    engine = app_context(ctx).ready_engine()
    with engine.begin() as conn:
        owner = accounts.require(conn, user)
        expires = None if expires_days is None else utcnow() + timedelta(days=expires_days)
        token_id, secret = credentials.create_token(conn, owner.id, name, expires_at=expires)
        audit.record(conn, "token.create", actor=ACTOR, target=name,
                     details={"token_id": token_id, "user": owner.email})
    if json_output:
        print_json({"token": secret, "id": token_id, "user": owner.email,
                    "expires_at": expires})
    else:
        out = console()
        out.print(f"Token {token_id} for {escape(owner.email)} (shown once, copy it now):")
        out.print(secret, soft_wrap=True)


@token_app.command("list")
def token_list(ctx: typer.Context,
               user: Annotated[str, typer.Option(help="The tokens' owner.")],
               json_output: JsonOpt = False) -> None:
    """List a user's tokens (never their secret)."""
    engine = app_context(ctx).ready_engine()
    with engine.connect() as conn:
        owner = accounts.require(conn, user)
        rows = [t.__dict__ for t in credentials.list_tokens(conn, owner.id)]
    if json_output:
        print_json({"tokens": rows})
    else:
        console().print(rows_table("Tokens", rows, ["id", "name", "prefix", "created_at",
                                                    "last_used_at", "revoked_at"]))


@token_app.command("revoke")
def token_revoke(ctx: typer.Context,
                 token_id: Annotated[int, typer.Argument(help="The token's id.")],
                 user: Annotated[str, typer.Option(help="The token's owner.")]) -> None:
    """Revoke a token: it stops working at once."""
    engine = app_context(ctx).ready_engine()
    with engine.begin() as conn:
        owner = accounts.require(conn, user)
        if not credentials.revoke_token(conn, owner.id, token_id):
            raise ConfianceError("E605", what="token", ref=str(token_id),
                                 listing="tokens")
        audit.record(conn, "token.revoke", actor=ACTOR, target=str(token_id),
                     details={"user": owner.email})
    console().print(f"Token {token_id} revoked.")


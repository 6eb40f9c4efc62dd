"""``confiance serve``: the web app and REST API on one port."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from confiance.auth.login import ensure_first_owner
from confiance.cli.context import app_context
from confiance.cli.output import console
from confiance.core.collector import freeze_startup_heap

if TYPE_CHECKING:
    from fastapi import FastAPI


def keep_nodelay() -> None:
    """Make uvicorn's multi-worker listener hand out sockets with ``TCP_NODELAY``.

    With ``--workers N`` uvicorn binds the listening socket itself with ``proto`` 0; the
    accepted sockets inherit it and asyncio then leaves Nagle's algorithm on, so every
    keep-alive request after the first waits about 40 ms for the client's delayed ACK
    (Kludex/uvicorn#3149). Relabelling the bound socket as TCP (the same descriptor)
    restores ``TCP_NODELAY``. Idempotent.
    """
    import uvicorn.config

    bind = uvicorn.config.Config.bind_socket
    if getattr(bind, "keeps_nodelay", False):
        return

    def bind_socket(self: uvicorn.config.Config) -> socket.socket:
        sock = bind(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP,
                                 fileno=sock.detach())
        return sock

    bind_socket.keeps_nodelay = True  # type: ignore[attr-defined]
    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every "
                                           "interface; put TLS in front).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the web app on http://HOST:PORT and the API under /api/v1 (reference: /docs).

    The first start on a database without users creates an owner and prints its one-time
    password, to be changed at first sign-in. With CONFIANCE_ENV=production a default
    secret key is refused (E103).

    Example: confiance serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from confiance.web.app import create_app

    context = app_context(ctx)
    engine = context.ready_engine()
    with engine.begin() as conn:
        password = ensure_first_owner(conn)
    out = console()
    if password is not None:
        from confiance.auth.login import FIRST_OWNER

        out.print(f"First start: created the owner {FIRST_OWNER}. Its one-time password, "
                  "shown once (you choose a new one at first sign-in):")
        out.print(f"  {escape(password)}", soft_wrap=True)
    out.print(f"Confiance on http://{host}:{port}/ (API reference: http://{host}:{port}/docs)")
    if workers > 1:  # each worker builds its app from the environment
        os.environ["CONFIANCE_DATABASE_URL"] = context.settings.database_url
        keep_nodelay()
        uvicorn.run("confiance.cli.serve:worker_app", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level, proxy_headers=True)
    else:
        app = create_app(context.settings, engine=engine)
        freeze_startup_heap()
        uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True)


def worker_app() -> FastAPI:
    """The app of one ``--workers`` process: built from the environment, its startup heap
    frozen (see :func:`freeze_startup_heap`)."""
    from confiance.core.settings import Settings
    from confiance.web.app import create_app

    app = create_app(Settings())
    freeze_startup_heap()
    return app

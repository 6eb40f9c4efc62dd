"""``confiance user``, ``workspace``, ``token`` and ``serve``, as an administrator runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.test_cli import run, run_json

PASSWORD = "une phrase de passe solide"


def test_users_workspaces_and_tokens(database_url: str, tmp_path: Path) -> None:
    run(["init"], database_url, tmp_path)
    run(["workspace", "add", "Lumière"], database_url, tmp_path)
    added = json.loads(run(
        ["user", "add", "Analyste@Example.org", "--role", "analyst", "--workspace", "Lumière",
         "--password-stdin", "--json"], database_url, tmp_path, stdin=PASSWORD + "\n").stdout)
    assert added == {"id": added["id"], "email": "analyste@example.org", "created": True,
                     "workspace": "Lumière", "role": "analyst"}
    run(["workspace", "add", "Autre"], database_url, tmp_path)
    again = json.loads(run(["user", "add", "analyste@example.org", "--role", "viewer",
                            "--workspace", "Autre", "--json"], database_url, tmp_path).stdout)
    assert again["created"] is False and again["workspace"] == "Autre"
    users = run_json(["user", "list"], database_url, tmp_path)["users"]
    assert {(u["workspace"], u["role"]) for u in users} == {("Lumière", "analyst"),
                                                            ("Autre", "viewer")}
    token = run_json(["token", "create", "--user", "analyste@example.org", "--name", "ci"],
                     database_url, tmp_path)
    assert token["token"].startswith("cft_")
    listed = run(["token", "list", "--user", "analyste@example.org", "--json"], database_url,
                 tmp_path).stdout
    assert token["token"] not in listed and '"prefix"' in listed
    run(["token", "revoke", str(token["id"]), "--user", "analyste@example.org"],
        database_url, tmp_path)
    revoked = run_json(["token", "list", "--user", "analyste@example.org"], database_url,
                       tmp_path)["tokens"]
    assert revoked[0]["revoked_at"] is not None


def test_bad_input_gets_catalogue_errors(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    cases = [
        (["user", "add", "not-an-address", "--role", "viewer", "--password-stdin"], PASSWORD,
         "E608"),
        (["user", "add", "a@example.org", "--role", "boss", "--password-stdin"], PASSWORD,
         "E609"),
        (["user", "add", "a@example.org", "--role", "viewer", "--password-stdin"], "short",
         "E610"),
        (["user", "add", "a@example.org", "--role", "viewer", "--password-stdin"], "", "E620"),
        (["user", "add", "a@example.org", "--role", "viewer", "--workspace", "Nope",
          "--password-stdin"], PASSWORD, "E615"),
        (["token", "create", "--user", "ghost@example.org"], None, "E611"),
    ]
    for args, stdin, code in cases:
        result = run(args, sqlite_url, tmp_path, check=False, stdin=stdin)
        assert result.returncode == 1, args
        assert code in result.stderr, (args, result.stderr)
    assert PASSWORD not in run(["user", "list"], sqlite_url, tmp_path).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_creates_the_first_owner_once(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    port = _free_port()
    env = {**os.environ, "CONFIANCE_DATABASE_URL": sqlite_url}
    server = subprocess.Popen([sys.executable, "-m", "confiance", "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "Confiance on http" in line:
                break
        banner = "".join(lines)
        assert "admin@confiance.local" in banner, banner
        password = banner.split("first sign-in):\n")[1].splitlines()[0].strip()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert httpx.get(f"{base}/api/v1/me").json()["error"]["code"] == "E603"
        with httpx.Client(base_url=base) as client:
            session = client.post("/api/v1/session", json={
                "email": "admin@confiance.local", "password": password})
            assert session.status_code == 200 and session.json()["must_change_password"]
            assert client.get("/api/v1/brands").json()["error"]["code"] == "E614"
    finally:
        server.terminate()
        server.wait(timeout=20)
    second = subprocess.Popen([sys.executable, "-m", "confiance", "serve", "--port",
                               str(_free_port())], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert second.stdout is not None
        line = second.stdout.readline()
        while line and "Confiance on http" not in line:
            assert "one-time password" not in line
            line = second.stdout.readline()
    finally:
        second.terminate()
        second.wait(timeout=20)


def test_production_refuses_a_default_secret(sqlite_url: str, tmp_path: Path) -> None:
    run(["init"], sqlite_url, tmp_path)
    env = {**os.environ, "CONFIANCE_DATABASE_URL": sqlite_url, "CONFIANCE_ENV": "production"}
    env.pop("CONFIANCE_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "confiance", "serve"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "E103" in result.stderr


def test_multi_worker_listener_keeps_tcp_nodelay() -> None:
    import socket

    import uvicorn.config

    from confiance.cli.serve import keep_nodelay

    keep_nodelay()
    keep_nodelay()  # idempotent: one wrapper
    config = uvicorn.config.Config(app="x:y", host="127.0.0.1", port=0)
    listener = config.bind_socket()
    try:
        assert listener.proto == socket.IPPROTO_TCP
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        assert accepted.proto == socket.IPPROTO_TCP
        accepted.close()
        client.close()
    finally:
        listener.close()

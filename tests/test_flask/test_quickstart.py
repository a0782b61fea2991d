"""docs/flask.md's quick start, as printed (test_flask/quickstart.py runs the page's sample):
tokens from ``flask keysmith``, then requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_flask.quickstart import create_app


def test_quickstart_cli_token_calls_protected_and_scoped_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the documented relative SQLite file lands here
    app = create_app()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keysmith", "init"]).exit_code == 0
    created = runner.invoke(
        args=["keysmith", "create", "--name", "ci", "--scope", "reports:write", "--json"]
    )
    token = json.loads(created.stdout)
    client = app.test_client()
    headers = {"X-Keysmith-Token": token["token"]}
    assert client.get("/me", headers=headers).get_json() == {
        "prefix": token["prefix"],
        "scopes": ["reports:write"],
    }
    assert client.post("/reports", headers=headers).status_code == 201
    assert client.get("/me").status_code == 401
    app.extensions["keysmith"].close()

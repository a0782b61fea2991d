"""docs/flask.md's quick start, as printed: tokens from ``flask keysmith``, then requests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_flask.quickstart import create_app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "flask.md"
SERVED = Path(__file__).resolve().parent / "quickstart.py"


def test_quickstart_code_is_the_documented_code() -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    documented = [block for block in blocks if "def create_app() -> Flask:" in block]
    assert len(documented) == 1
    assert documented[0].strip() == SERVED.read_text(encoding="utf-8").strip()


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

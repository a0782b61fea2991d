"""The setup printed on docs/fastapi-self-service.md, run as printed, behind an authentication
middleware of the kind it names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.testclient import TestClient

from keysmith.sqlalchemy import create_all

PAGE = Path(__file__).resolve().parents[2] / "docs" / "fastapi-self-service.md"


class HeaderSignIn(AuthenticationBackend):
    """Stands for the app's session or JWT backend: ``X-User`` names the signed-in user."""

    async def authenticate(self, conn: HTTPConnection) -> Any:
        user = conn.headers.get("x-user")
        return (AuthCredentials(["authenticated"]), SimpleUser(user)) if user else None


def test_docs_setup_gives_a_working_api_keys_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    monkeypatch.setenv("KEYSMITH_DATABASE_URL", url)
    setup = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)
    assert setup is not None
    namespace: dict[str, Any] = {}
    exec(compile(setup.group(1), str(PAGE), "exec"), namespace)
    app = namespace["app"]
    app.add_middleware(AuthenticationMiddleware, backend=HeaderSignIn())
    with TestClient(app) as client:
        created = client.post(
            "/api/tokens", json={"name": "laptop", "scopes": ["read"]}, headers={"X-User": "bob"}
        )
        assert created.status_code == 201
        assert created.json()["owner"] == "bob"
        refused = client.post(
            "/api/tokens", json={"name": "x", "scopes": ["write"]}, headers={"X-User": "bob"}
        )
        assert refused.json()["code"] == "scope_not_allowed"
        assert client.get("/api/tokens").json()["code"] == "not_authenticated"
        listed = client.get("/api/tokens", headers={"X-User": "bob"}).json()
        assert [t["name"] for t in listed["results"]] == ["laptop"]

"""The ASGI, Starlette and FastAPI samples of the docs and the README, run as printed: each
builds its app over the SQLite file the samples name (``keysmith.sqlite3``, in a folder of the
test's own), and Starlette's test client drives it with tokens issued into that file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from support.docs_samples import docs_sample, replace_once, run_sample

import keysmith.asgi.sql
from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.sqlalchemy import async_service, create_all, service

FastAPI = pytest.importorskip("fastapi", reason="the FastAPI samples need FastAPI").FastAPI

URL = "sqlite:///keysmith.sqlite3"
PLACEHOLDER = '"postgresql://app@db/app"'
Issue = Callable[..., str]


@pytest.fixture
def issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Issue]:
    """Work in an empty folder holding the samples' ``keysmith.sqlite3``; issue raw tokens.

    The engines that ``from_url(url)`` opens for the samples are disposed of afterwards (as
    an application does at shutdown with ``keysmith.service.store.engine.dispose()``).
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    create_all(URL)
    tokens = service(URL, audit_buffer_seconds=0)
    opened: list[Any] = []

    def recorded(*args: Any, **kwargs: Any) -> Any:
        opened.append(async_service(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(keysmith.asgi.sql, "async_service", recorded)

    def make(*scopes: str, user: str | None = None) -> str:
        return tokens.create(name="docs", scopes=list(scopes), user=user)[1]

    yield make
    tokens.store.engine.dispose()
    for opened_service in opened:
        asyncio.run(opened_service.store.engine.dispose())


def header(raw: str) -> dict[str, str]:
    return {"X-Keysmith-Token": raw}


def audit_rows() -> list[tuple[str, str, int]]:
    with sqlite3.connect("keysmith.sqlite3") as connection:
        query = "SELECT action, path, status_code FROM keysmith_audit_events ORDER BY id"
        return list(connection.execute(query))


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


class HeaderSignIn(AuthenticationBackend):
    """Stands for the app's session or JWT backend: ``X-User`` names the signed-in user."""

    def __init__(self, default: str | None = None) -> None:
        self.default = default

    async def authenticate(self, conn: HTTPConnection) -> Any:
        user = conn.headers.get("x-user", self.default)
        return (AuthCredentials(["authenticated"]), SimpleUser(user)) if user else None


# FastAPI


def check_notes_app(app: Any, issue: Issue) -> None:
    with TestClient(app) as client:
        writer = issue("write")
        added = client.post("/notes", headers=header(writer))
        assert (added.status_code, added.json()) == (201, {"author": writer.partition(":")[0]})
        assert client.post("/notes", headers=header(issue("read"))).status_code == 403
        assert client.post("/notes").status_code == 401
    assert ("auth_success", "/notes", 201) in audit_rows()


def test_readme_fastapi_sample_serves_writers(issue: Issue) -> None:
    check_notes_app(run_sample("README.md", "fastapi-quick-look")["app"], issue)


def test_index_fastapi_sample_serves_writers(issue: Issue) -> None:
    check_notes_app(run_sample("index.md", "fastapi")["app"], issue)


def test_fastapi_routes_and_middleware_samples_guard_each_route(issue: Issue) -> None:
    namespace = run_sample("fastapi.md", "routes")
    run_sample("fastapi.md", "middleware", namespace)
    with TestClient(namespace["app"]) as client:
        assert client.get("/").json() == {"hello": "world"}
        raw = issue("write", "read")
        assert client.get("/me", headers=header(raw)).json() == {
            "prefix": raw.partition(":")[0],
            "scopes": ["read", "write"],
        }
        assert client.get("/me").status_code == 401
        assert client.post("/items", headers=header(raw)).status_code == 200
        assert client.post("/items", headers=header(issue("read"))).status_code == 403
        assert client.delete("/items/1", headers=header(raw)).status_code == 403
        deleted = client.delete("/items/1", headers=header(issue("admin")))
        assert deleted.status_code == 200
    # The middleware audits with the final status, the refusals too.
    assert ("auth_success", "/items/1", 403) in audit_rows()


def test_fastapi_lifespan_sample_creates_the_tables_and_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    namespace = run_sample("fastapi.md", "routes")
    namespace = run_sample("fastapi.md", "lifespan", namespace)
    assert not (tmp_path / "keysmith.sqlite3").exists() or not audit_tables()
    with TestClient(namespace["app"]):
        assert {"keysmith_tokens", "keysmith_audit_events"} <= audit_tables()


def audit_tables() -> set[str]:
    with sqlite3.connect("keysmith.sqlite3") as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}


def test_scopes_fastapi_sample_needs_write(issue: Issue) -> None:
    keysmith = from_url()
    namespace = run_sample("scopes.md", "fastapi", {"keysmith": keysmith})
    writer_type = namespace["Writer"]
    app = FastAPI()
    app.add_middleware(KeysmithMiddleware, authenticator=keysmith)  # closes it at shutdown

    def publish(token: Any) -> dict[str, str]:
        return {"by": token.prefix}

    # The route as a reader writes it, `token: Writer`, with the sample's Writer.
    publish.__annotations__ = {"token": writer_type, "return": dict[str, str]}
    app.post("/publish")(publish)

    with TestClient(app) as client:
        assert client.post("/publish", headers=header(issue("write"))).status_code == 200
        assert client.post("/publish", headers=header(issue("read"))).status_code == 403


def test_fastapi_self_service_setup_sample_gives_a_working_api_keys_backend(
    issue: Issue,
) -> None:
    app = run_sample("fastapi-self-service.md", "setup")["app"]
    app.add_middleware(AuthenticationMiddleware, backend=HeaderSignIn())
    with TestClient(app) as client:
        bob = {"X-User": "bob"}
        created = client.post(
            "/api/tokens", json={"name": "laptop", "scopes": ["read"]}, headers=bob
        )
        assert created.status_code == 201
        assert created.json()["owner"] == "bob"
        refused = client.post("/api/tokens", json={"name": "x", "scopes": ["write"]}, headers=bob)
        assert refused.json()["code"] == "scope_not_allowed"
        assert client.get("/api/tokens").json()["code"] == "not_authenticated"
        listed = client.get("/api/tokens", headers=bob).json()
        assert [t["name"] for t in listed["results"]] == ["laptop"]


def test_fastapi_self_service_in_tests_sample_passes(issue: Issue) -> None:
    app = run_sample("fastapi-self-service.md", "setup")["app"]
    app.add_middleware(AuthenticationMiddleware, backend=HeaderSignIn(default="alice"))
    run_sample("fastapi-self-service.md", "in-tests")["test_create_a_key"](app)
    with TestClient(app) as client:  # the lifespan's shutdown closes keysmith
        listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed["results"]] == ["laptop"]


# Starlette


def test_index_starlette_sample_answers_with_the_token(issue: Issue) -> None:
    namespace = run_sample("index.md", "starlette")
    with TestClient(namespace["app"]) as client:
        raw = issue()
        assert client.get("/me", headers=header(raw)).json() == {"token": raw.partition(":")[0]}
        assert client.get("/me").status_code == 403
        assert client.get("/me", headers=header(raw + "0")).status_code == 401
        client.portal.call(namespace["keysmith"].aclose)  # no KeysmithMiddleware to do it


def test_starlette_backend_sample_exposes_the_token_and_its_scopes(issue: Issue) -> None:
    namespace = run_sample("starlette.md", "backend")
    with TestClient(namespace["app"]) as client:
        assert client.get("/").json() == {"token": None}
        raw = issue("write")
        prefix = raw.partition(":")[0]
        assert client.get("/", headers=header(raw)).json() == {
            "token": prefix,
            "scopes": ["authenticated", "write"],
        }
        published = client.post("/publish", headers=header(raw))
        assert published.json() == {"published_by": prefix}
        assert client.post("/publish", headers=header(issue("read"))).status_code == 403
        client.portal.call(namespace["keysmith"].aclose)  # no KeysmithMiddleware to do it


def test_starlette_with_middleware_sample_audits_the_final_status(issue: Issue) -> None:
    namespace = run_sample("starlette.md", "backend")
    run_sample("starlette.md", "with-middleware", namespace)
    app = Starlette(routes=namespace["app"].routes, middleware=namespace["middleware"])
    with TestClient(app) as client:
        assert client.post("/publish", headers=header(issue("read"))).status_code == 403
        assert client.post("/publish", headers=header(issue("write"))).status_code == 200
    assert [row for row in audit_rows() if row[1] == "/publish"] == [
        ("auth_success", "/publish", 403),
        ("auth_success", "/publish", 200),
    ]


# The middleware


def inner_app() -> Starlette:
    return Starlette(routes=[Route("/", hello), Route("/health", hello)])


def test_asgi_quick_start_sample_requires_a_token_except_on_health(issue: Issue) -> None:
    app = run_sample("asgi.md", "quick-start", {"app": inner_app()})["app"]
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/").status_code == 401
        assert client.get("/", headers=header(issue())).text == "hello"


def test_asgi_own_engine_sample_authenticates_through_the_engine(issue: Issue) -> None:
    code = replace_once(docs_sample("asgi.md", "own-engine"), PLACEHOLDER, f'"{URL}"')
    namespace = run_sample("asgi.md", "own-engine", {"from_url": from_url}, code=code)
    app = KeysmithMiddleware(inner_app(), namespace["keysmith"], required=True)
    with TestClient(app) as client:
        assert client.get("/", headers=header(issue())).status_code == 200
        assert client.get("/").status_code == 401
        client.portal.call(namespace["engine"].dispose)


def test_asgi_memory_store_sample_authenticates_its_own_tokens() -> None:
    keysmith = run_sample("asgi.md", "memory-store")["keysmith"]
    app = KeysmithMiddleware(inner_app(), keysmith, required=True)
    with TestClient(app) as client:
        _, raw = client.portal.call(lambda: keysmith.service.create(name="memory"))
        assert client.get("/", headers=header(raw)).status_code == 200
        assert client.get("/", headers=header(raw[:-1] + "x")).status_code == 401


def test_asgi_admit_sample_refuses_inactive_owners(issue: Issue) -> None:
    class Users:
        async def is_active(self, user: str) -> bool:
            return user == "alice"

    keysmith = run_sample("asgi.md", "admit", {"users": Users()})["keysmith"]
    app = KeysmithMiddleware(inner_app(), keysmith, required=True)
    with TestClient(app) as client:
        assert client.get("/", headers=header(issue(user="alice"))).status_code == 200
        assert client.get("/", headers=header(issue())).status_code == 200  # a system token
        refused = client.get("/", headers=header(issue(user="mallory")))
        assert (refused.status_code, refused.json()["code"]) == (401, "disabled_token")


def test_asgi_rate_limit_sample_answers_429_with_retry_after(issue: Issue) -> None:
    clients: list[str] = []

    async def too_many_attempts(client: str) -> bool:
        clients.append(client)
        return len(clients) > 1

    keysmith = run_sample("asgi.md", "rate-limit", {"too_many_attempts": too_many_attempts})[
        "keysmith"
    ]
    app = KeysmithMiddleware(inner_app(), keysmith, required=True)
    with TestClient(app) as client:
        raw = issue()
        assert client.get("/", headers=header(raw)).status_code == 200
        limited = client.get("/", headers=header(raw))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "30")
    assert clients == ["testclient", "testclient"]


def test_asgi_audit_write_timeout_sample_bounds_the_audit_writes(issue: Issue) -> None:
    code = replace_once(docs_sample("asgi.md", "audit-write-timeout"), PLACEHOLDER, f'"{URL}"')
    namespace = run_sample("asgi.md", "audit-write-timeout", {"from_url": from_url}, code=code)
    keysmith = namespace["keysmith"]
    assert keysmith.service.sink.direct.write_timeout == 0.5
    app = KeysmithMiddleware(inner_app(), keysmith, required=True)
    with TestClient(app) as client:
        assert client.get("/", headers=header(issue())).status_code == 200
    assert ("auth_success", "/", 200) in audit_rows()

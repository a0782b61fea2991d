"""The OpenAPI document of routes ``KeysmithToken`` protects: scopes in the security requirement,
401 and 403 answers with their body and ``WWW-Authenticate`` header; fetched from the app."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Security
from support.docs_samples import docs_sample

from keysmith.asgi import TokenAuthenticator
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.asgi.fastapi_openapi import ERROR_SCHEMA, document
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService

ERROR_REF = {"$ref": "#/components/schemas/KeysmithError"}


def make_app(
    *, documented: bool = True, header_name: str = "x-keysmith-token", allow_bearer: bool = True
) -> FastAPI:
    keysmith = TokenAuthenticator(
        AsyncTokenService(AsyncMemoryTokenStore()),
        header_name=header_name,
        allow_bearer=allow_bearer,
    )
    app = FastAPI()
    if documented:
        document(app)  # before the routes: it reads them when the document is built
    any_token = KeysmithToken(keysmith)
    writer = KeysmithToken(keysmith, scopes=["write", "items"])

    @app.get("/public")
    def public() -> dict[str, str]:
        return {}

    @app.get("/me")
    def me(token: Any = Depends(any_token)) -> dict[str, str]:
        return {}

    @app.post("/items")
    def write(
        token: Any = Depends(writer),
    ) -> dict[str, str]:
        return {}

    @app.delete("/items/{item}")
    def delete(item: int, token: Any = Security(any_token, scopes=["admin"])) -> None:
        return None

    # Protected by the router's dependencies, and a route that documents its own 401.
    router = APIRouter(
        prefix="/reports", dependencies=[Depends(KeysmithToken(keysmith, scopes=["reports"]))]
    )

    @router.get("", responses={401: {"description": "Ours."}})
    def reports() -> list[str]:
        return []

    app.include_router(router)
    return app


async def fetched(app: FastAPI) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


@pytest.mark.anyio
async def test_openapi_security_requirement_lists_constructor_scopes() -> None:
    paths = (await fetched(make_app()))["paths"]

    def either(*scopes: str) -> list[dict[str, list[str]]]:
        return [{"KeysmithToken": list(scopes)}, {"KeysmithBearer": list(scopes)}]

    assert paths["/items"]["post"]["security"] == either("items", "write")
    assert paths["/items/{item}"]["delete"]["security"] == either("admin")
    assert paths["/reports"]["get"]["security"] == either("reports")
    assert paths["/me"]["get"]["security"] == either()


@pytest.mark.anyio
async def test_openapi_offers_bearer_as_the_alternative_only_when_accepted() -> None:
    schema = await fetched(make_app())
    assert schema["components"]["securitySchemes"]["KeysmithBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token issued by keysmith, as Authorization: Bearer <token>.",
    }
    without = await fetched(make_app(allow_bearer=False))
    assert without["paths"]["/items"]["post"]["security"] == [{"KeysmithToken": ["items", "write"]}]
    assert "KeysmithBearer" not in without["components"]["securitySchemes"]


@pytest.mark.anyio
async def test_openapi_protected_route_documents_401_body_and_challenge() -> None:
    schema = await fetched(make_app())
    answer = schema["paths"]["/me"]["get"]["responses"]["401"]
    assert answer["content"]["application/json"]["schema"] == ERROR_REF
    assert schema["components"]["schemas"]["KeysmithError"] == ERROR_SCHEMA
    header = answer["headers"]["WWW-Authenticate"]
    assert header["schema"] == {"type": "string"}
    assert 'APIKey realm="keysmith", header="x-keysmith-token"' in header["description"]
    # A route needing no scope cannot answer 403.
    assert "403" not in schema["paths"]["/me"]["get"]["responses"]


@pytest.mark.anyio
async def test_openapi_scoped_route_documents_403_naming_its_scopes() -> None:
    paths = (await fetched(make_app(header_name="x-api-key")))["paths"]
    answer = paths["/items"]["post"]["responses"]["403"]
    assert answer["content"]["application/json"]["schema"] == ERROR_REF
    description = answer["headers"]["WWW-Authenticate"]["description"]
    assert 'header="x-api-key", error="insufficient_scope", scope="items write"' in description
    assert "401" in paths["/items"]["post"]["responses"]
    assert "403" in paths["/items/{item}"]["delete"]["responses"]


@pytest.mark.anyio
async def test_openapi_route_without_keysmith_has_no_security_nor_refusals() -> None:
    public = (await fetched(make_app()))["paths"]["/public"]["get"]
    assert "security" not in public
    assert set(public["responses"]) == {"200"}


@pytest.mark.anyio
async def test_openapi_route_keeps_the_answers_it_documents_itself() -> None:
    reports = (await fetched(make_app()))["paths"]["/reports"]["get"]["responses"]
    assert reports["401"] == {"description": "Ours."}
    assert reports["403"]["content"]["application/json"]["schema"] == ERROR_REF


@pytest.mark.anyio
async def test_openapi_without_document_lacks_scopes_and_refusals() -> None:
    # What document() adds: FastAPI alone knows only the Security(..., scopes=) ones.
    paths = (await fetched(make_app(documented=False)))["paths"]
    assert paths["/items"]["post"]["security"] == [{"KeysmithToken": []}]
    assert "401" not in paths["/me"]["get"]["responses"]


@pytest.mark.anyio
async def test_openapi_document_is_the_same_when_fetched_twice() -> None:
    app = make_app()
    assert await fetched(app) == await fetched(app)


def test_openapi_docs_sample_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the sample's default sqlite:///keysmith.sqlite3, ours
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    sample = docs_sample("fastapi.md", "openapi")
    namespace: dict[str, Any] = {"__name__": "fastapi_openapi_sample"}
    exec(compile(sample, "docs/fastapi.md", "exec"), namespace)  # its asserts run here
    asyncio.run(namespace["keysmith"].service.store.engine.dispose())

"""The plain Django samples of the docs and the README, run as printed: settings are validated
by keysmith's own settings loader and compared with the test project's, views are served
behind the middleware and called with Django's test client."""

from __future__ import annotations

import inspect
import json
import os
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import isolate_apps
from django.urls import path
from django.utils.module_loading import import_string
from django.views import View
from django.views.debug import SafeExceptionReporterFilter
from support.docs_samples import (
    docs_sample,
    documented_signature,
    parameters,
    replace_once,
    run_sample,
)
from test_django import settings as test_settings
from test_django.testapp.models import CustomAuditLog, CustomToken
from test_django.wiring import TokenFactory

from keysmith.audit.logger import log_audit_event
from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken, RevokedToken
from keysmith.django.checks import check_models
from keysmith.django.settings import load_settings
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import create_token

# The test project's own KEYSMITH (fewer PBKDF2 rounds), kept under a sample's settings.
BASE = test_settings.KEYSMITH


def in_order(documented: list[Any], used: list[Any]) -> bool:
    """Whether the documented entries (``...`` aside) all appear in ``used``, in that order."""
    entries = [entry for entry in documented if entry is not Ellipsis]
    positions = [used.index(entry) for entry in entries if entry in used]
    return len(positions) == len(entries) and positions == sorted(positions)


def valid(keysmith: dict[str, Any]) -> None:
    """The KEYSMITH dict passes keysmith's settings validation, without even a warning."""
    loaded, problems = load_settings(keysmith)
    assert problems == []
    assert loaded is not None


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Callable[..., None]:
    """Serve views at the given paths as the project's URLconf."""

    def routes(**views: Callable[..., Any]) -> None:
        module = types.ModuleType("docs_sample_urls")
        module.urlpatterns = [path(f"{name}/", view) for name, view in views.items()]  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        settings.ROOT_URLCONF = module.__name__

    return routes


@pytest.fixture
def report_permissions(db: None) -> Callable[..., Any]:
    """Permissions with the docs' codenames (``view_report``, ...), as a reports app has."""

    def make(*codenames: str) -> Any:
        content_type = ContentType.objects.get_for_model(Token)
        for codename in codenames:
            Permission.objects.get_or_create(
                codename=codename, content_type=content_type, defaults={"name": codename}
            )
        return Permission.objects.filter(codename__in=codenames)

    return make


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("api-user")


# Settings


def test_installation_settings_sample_is_what_the_test_project_uses() -> None:
    namespace = run_sample("django/installation.md", "settings")
    assert in_order(namespace["INSTALLED_APPS"], test_settings.INSTALLED_APPS)
    assert in_order(namespace["MIDDLEWARE"], test_settings.MIDDLEWARE)
    assert namespace["USE_TZ"] is test_settings.USE_TZ is True


def test_index_django_settings_sample_is_what_the_test_project_uses() -> None:
    namespace = run_sample("index.md", "django-settings")
    assert "keysmith" in namespace["INSTALLED_APPS"]
    assert in_order(namespace["MIDDLEWARE"], test_settings.MIDDLEWARE)


def test_installation_reporter_filter_sample_names_the_filter_class() -> None:
    namespace = run_sample("django/installation.md", "reporter-filter")
    assert issubclass(
        import_string(namespace["DEFAULT_EXCEPTION_REPORTER_FILTER"]), SafeExceptionReporterFilter
    )


def test_configuration_settings_sample_is_valid() -> None:
    valid(run_sample("django/configuration.md", "settings")["KEYSMITH"])


def test_configuration_read_settings_sample_reads_the_documented_values() -> None:
    namespace = run_sample("django/configuration.md", "read-settings")
    assert namespace["keysmith_settings"].HEADER_NAME == "HTTP_X_KEYSMITH_TOKEN"
    assert namespace["keysmith_settings"].RATE_LIMIT_HOOK is None


@pytest.mark.django_db
def test_configuration_error_messages_sample_answers_with_its_message(
    client: Client, serve: Callable[..., None]
) -> None:
    keysmith = run_sample("django/configuration.md", "error-messages")["KEYSMITH"]
    valid(keysmith)
    namespace = run_sample("django/quickstart.md", "plain-view")
    serve(health=namespace["health"])
    with override_settings(KEYSMITH={**BASE, **keysmith}):
        response = client.get("/health/")
    assert response.status_code == 401
    assert response.content.decode() == "Send an X-KEYSMITH-TOKEN header."


@pytest.mark.django_db
def test_configuration_hmac_hasher_sample_hashes_with_its_pepper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEYSMITH_PEPPER_2025", "a-pepper-of-at-least-thirty-two-characters")
    keysmith = run_sample("django/configuration.md", "hmac-hasher", {"os": os})["KEYSMITH"]
    valid(keysmith)
    with override_settings(KEYSMITH=keysmith):
        token, raw = create_token(name="peppered")
        assert Token.objects.get(pk=token.pk).key.startswith("hmac_sha256$2025$")
        assert authenticate_token(raw).pk == token.pk


@pytest.mark.django_db
def test_incidents_pepper_rotation_sample_keeps_the_old_peppers_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PEPPER_2026A", "first-pepper-of-at-least-thirty-two-chars")
    monkeypatch.setenv("PEPPER_2026B", "second-pepper-of-at-least-thirty-two-chars")
    rotated = run_sample("incidents.md", "pepper-rotation", {"os": os})["KEYSMITH"]
    valid(rotated)
    before = {**rotated, "HASH_PEPPERS": {"2026a": os.environ["PEPPER_2026A"]}}
    before["HASH_PEPPER_ID"] = "2026a"
    with override_settings(KEYSMITH=before):
        token, raw = create_token(name="issued before the rotation")
    with override_settings(KEYSMITH=rotated):
        assert authenticate_token(raw).pk == token.pk
        assert Token.objects.get(pk=token.pk).key.startswith("hmac_sha256$2026b$")


def test_audit_write_timeout_sample_is_valid() -> None:
    valid(run_sample("django/audit-logging.md", "write-timeout")["KEYSMITH"])


def test_custom_models_settings_sample_points_at_models_that_pass_the_checks() -> None:
    keysmith = run_sample("django/token-management.md", "custom-models-settings")["KEYSMITH"]
    valid(keysmith)
    code = docs_sample("django/token-management.md", "custom-models-settings")
    code = replace_once(code, '"myapp.ApiToken"', '"testapp.CustomToken"')
    code = replace_once(code, '"myapp.ApiTokenAuditLog"', '"testapp.CustomAuditLog"')
    ours = run_sample("django/token-management.md", "custom-models-settings", code=code)
    with override_settings(KEYSMITH={**BASE, **ours["KEYSMITH"]}):
        assert check_models() == []


# Signatures


def test_create_token_signature_sample_is_the_services_signature() -> None:
    documented = documented_signature(
        docs_sample("django/token-management.md", "create-token-signature")
    )
    assert parameters(documented) == parameters(inspect.signature(create_token))


def test_log_audit_event_signature_sample_is_the_loggers_signature() -> None:
    documented = documented_signature(docs_sample("django/audit-logging.md", "log-audit-event"))
    assert parameters(documented) == parameters(inspect.signature(log_audit_event))


# Models


def test_custom_models_sample_has_the_test_projects_custom_fields() -> None:
    with isolate_apps("test_django.testapp"):
        namespace = run_sample(
            "django/token-management.md",
            "custom-models",
            {"__name__": "test_django.testapp.models"},
        )
        token_model, audit_model = namespace["ApiToken"], namespace["ApiTokenAuditLog"]
        assert {f.name for f in token_model._meta.concrete_fields} == {
            f.name for f in CustomToken._meta.concrete_fields
        }
        assert {f.name for f in audit_model._meta.concrete_fields} == {
            f.name for f in CustomAuditLog._meta.concrete_fields
        }
        assert audit_model._meta.get_field("token").related_model is token_model


# Services and views


@pytest.mark.django_db
def test_quickstart_create_token_sample_prints_the_raw_token_once(
    user: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_sample("django/quickstart.md", "create-token")
    token, raw = namespace["token"], namespace["raw_token"]
    assert token.user == user
    assert capsys.readouterr().out == f"Prefix: {token.prefix}\nRaw token: {raw}\n"
    assert authenticate_token(raw).pk == token.pk


@pytest.mark.django_db
def test_quickstart_plain_view_sample_answers_with_the_prefix(
    client: Client, serve: Callable[..., None], make_token: TokenFactory
) -> None:
    serve(health=run_sample("django/quickstart.md", "plain-view")["health"])
    token, raw = make_token()
    response = client.get("/health/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.json() == {"ok": True, "token_prefix": token.prefix}
    assert client.get("/health/").status_code == 401


@pytest.mark.django_db
def test_quickstart_lifecycle_sample_rotates_revokes_and_purges(make_token: TokenFactory) -> None:
    token, raw = make_token()
    namespace = run_sample("django/quickstart.md", "lifecycle", {"token": token})
    with pytest.raises(InvalidToken):
        authenticate_token(raw)
    with pytest.raises(RevokedToken):
        authenticate_token(namespace["new_raw_token"])
    stored = Token.objects.get(pk=token.pk)
    assert (stored.revoked, stored.purged) == (True, True)


@pytest.mark.django_db
def test_index_django_view_sample_answers_with_the_prefix(
    client: Client, serve: Callable[..., None], make_token: TokenFactory
) -> None:
    serve(report=run_sample("index.md", "django-view")["report"])
    token, raw = make_token()
    assert client.get("/report/", HTTP_X_KEYSMITH_TOKEN=raw).json() == {"token": token.prefix}
    assert client.get("/report/").status_code == 401


@pytest.mark.django_db
def test_readme_django_sample_rotates_revokes_and_serves_the_report_view(
    client: Client, serve: Callable[..., None], make_token: TokenFactory, user: Any
) -> None:
    namespace = run_sample("README.md", "django-quick-look", {"user": user})
    serve(report=namespace["report"])
    # The sample revokes the token it made and rotated: the view refuses both secrets.
    assert client.get("/report/", HTTP_X_KEYSMITH_TOKEN=namespace["raw"]).status_code == 401
    assert client.get("/report/", HTTP_X_KEYSMITH_TOKEN=namespace["new_raw"]).status_code == 401
    stored = Token.objects.get(pk=namespace["token"].pk)
    assert (stored.user, stored.revoked) == (user, True)
    live, raw = make_token(user=user)
    assert client.get("/report/", HTTP_X_KEYSMITH_TOKEN=raw).json() == {"token": live.prefix}


@pytest.mark.django_db
def test_token_management_authenticate_sample_returns_the_token(make_token: TokenFactory) -> None:
    token, raw = make_token()
    namespace = run_sample("django/token-management.md", "authenticate", {"raw": raw})
    assert namespace["token"].pk == token.pk
    # A refused token goes to the except clause, which the sample leaves to the reader.
    namespace = run_sample("django/token-management.md", "authenticate", {"raw": "tok_x:y"})
    assert "token" not in namespace


@pytest.mark.django_db
def test_plain_django_keysmith_required_sample_refuses_and_lets_anonymous_in(
    make_token: TokenFactory,
) -> None:
    namespace = run_sample("django/plain-django.md", "keysmith-required")
    factory = RequestFactory()
    assert namespace["report"](factory.get("/")).status_code == 401
    token, raw = make_token()
    assert json.loads(namespace["report"](factory.get("/", HTTP_X_KEYSMITH_TOKEN=raw)).content) == {
        "token": token.prefix
    }
    assert json.loads(namespace["feed"](factory.get("/")).content) == {"signed_in": False}
    refused = namespace["feed"](factory.get("/", HTTP_X_KEYSMITH_TOKEN="tok_ab12CD34:bad"))
    assert (refused.status_code, refused.content) == (401, b"Bad token.")


@pytest.mark.django_db
def test_plain_django_view_styles_sample_protects_every_style(make_token: TokenFactory) -> None:
    namespace = run_sample("django/plain-django.md", "keysmith-required")

    class PlainView(View):
        def get(self, request: Any) -> HttpResponse:
            return HttpResponse("plain")

    namespace = run_sample(
        "django/plain-django.md", "view-styles", {**namespace, "PlainView": PlainView}
    )
    views = [
        namespace["ReportView"].as_view(),
        namespace["FeedView"].as_view(),
        namespace["urlpatterns"][0].callback,
    ]
    factory = RequestFactory()
    _, raw = make_token()
    for view in views:
        assert view(factory.get("/")).status_code == 401
    plain = namespace["urlpatterns"][0].callback
    assert plain(factory.get("/", HTTP_X_KEYSMITH_TOKEN=raw)).content == b"plain"


@pytest.mark.django_db
def test_plain_django_request_factory_sample_gets_200_then_401(
    make_token: TokenFactory, report_permissions: Callable[..., Any]
) -> None:
    export = run_sample("django/plain-django.md", "keysmith-scopes")["export"]
    token, _ = make_token(scopes=report_permissions("view_report", "export_report"))
    responses: list[Any] = []

    def recorded(request: Any) -> Any:
        responses.append(export(request))
        return responses[-1]

    namespace = {"export": recorded, "token": token}
    run_sample("django/plain-django.md", "request-factory", namespace)
    assert [response.status_code for response in responses] == [200, 401]
    assert json.loads(responses[0].content) == {"token": token.prefix}
    assert responses[1].content == b"Your session has expired or the token is invalid."


def export_views() -> list[Any]:
    return [
        run_sample("scopes.md", "django")["export"],
        run_sample("django/plain-django.md", "keysmith-scopes")["export"],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("sample", range(2), ids=["scopes.md", "plain-django.md"])
def test_keysmith_scopes_samples_need_every_scope(
    client: Client,
    serve: Callable[..., None],
    make_token: TokenFactory,
    report_permissions: Callable[..., Any],
    sample: int,
) -> None:
    serve(export=export_views()[sample])
    both, both_raw = make_token(scopes=report_permissions("view_report", "export_report"))
    _, one_raw = make_token(scopes=report_permissions("view_report"))
    assert client.get("/export/", HTTP_X_KEYSMITH_TOKEN=both_raw).json() == {"token": both.prefix}
    refused = client.get("/export/", HTTP_X_KEYSMITH_TOKEN=one_raw)
    assert refused.status_code == 403
    assert 'scope="export_report"' in refused["WWW-Authenticate"]
    assert client.get("/export/").status_code == 401


@pytest.mark.django_db
def test_plain_django_rate_limit_hook_sample_answers_429_with_retry_after(
    client: Client, serve: Callable[..., None], make_token: TokenFactory
) -> None:
    attempts: list[str] = []

    def too_many_attempts(address: str) -> bool:
        attempts.append(address)
        return len(attempts) > 1

    hook = run_sample(
        "django/plain-django.md", "rate-limit-hook", {"too_many_attempts": too_many_attempts}
    )["rate_limit_hook"]
    serve(health=run_sample("django/quickstart.md", "plain-view")["health"])
    _, raw = make_token()
    with override_settings(KEYSMITH={**BASE, "RATE_LIMIT_HOOK": hook}):
        assert client.get("/health/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
        limited = client.get("/health/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (limited.status_code, limited["Retry-After"]) == (429, "30")
    assert attempts == ["127.0.0.1", "127.0.0.1"]


@pytest.mark.django_db
def test_audit_log_hook_sample_receives_every_documented_argument(
    client: Client,
    serve: Callable[..., None],
    make_token: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    namespace = run_sample("django/audit-logging.md", "audit-log-hook")
    received: list[dict[str, Any]] = []

    def ship(**event: Any) -> None:
        received.append(event)
        namespace["ship"](**event)  # the documented keyword-only parameters accept the call

    # The dotted path the sample names, as the reader's project provides it.
    for name in ("myproject", "myproject.audit"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(sys.modules["myproject.audit"], "ship", ship, raising=False)
    valid(namespace["KEYSMITH"])
    serve(health=run_sample("django/quickstart.md", "plain-view")["health"])
    _, raw = make_token()
    with override_settings(KEYSMITH={**BASE, **namespace["KEYSMITH"]}):
        assert client.get("/health/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert [event["action"] for event in received] == ["auth_success"]
    assert set(received[0]["payload"]) == {
        "path",
        "method",
        "status_code",
        "ip_address",
        "user_agent",
    }
    assert not TokenAuditLog.objects.filter(action="auth_success").exists()


@pytest.mark.django_db
def test_permissions_scoped_token_sample_gives_the_token_both_scopes(
    user: Any, report_permissions: Callable[..., Any]
) -> None:
    report_permissions("view_report", "export_report")
    namespace = run_sample("permissions.md", "scoped-token", {"user": user})
    scopes = namespace["token"].scopes.values_list("codename", flat=True)
    assert sorted(scopes) == ["export_report", "view_report"]


@pytest.mark.django_db
def test_incidents_audit_rows_sample_prints_the_tokens_rows_newest_first(
    make_token: TokenFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    token, _ = make_token()  # its "created" row
    make_token()  # another token's rows are not printed
    Token.objects.filter(pk=token.pk).update(prefix="tok_ab12CD34")
    token.refresh_from_db()
    log_audit_event(action="auth_success", token=token, status_code=200)
    run_sample("incidents.md", "audit-rows")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2:4] for line in lines] == [["auth_success", "200"], ["created", "201"]]

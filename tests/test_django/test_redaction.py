"""Raw tokens never reach error reports, audit rows or request log lines."""

from __future__ import annotations

import logging
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django
import pytest
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import got_request_exception
from django.test import Client, override_settings
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter
from test_django.wiring import TokenFactory

from keysmith.django.store import DjangoTokenStore
from keysmith.models import TokenAuditLog

REPORTER = "keysmith.django.redaction.KeysmithExceptionReporterFilter"
QUERY_ALLOWED = {"ALLOW_QUERY_PARAM": True, "HASH_ITERATIONS": 10_000}
# Django 6 takes plain addresses and deprecates (name, address) pairs.
ADMINS: list[Any] = (
    ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
)


@pytest.fixture
def keysmith_reporter_filter() -> Iterator[None]:
    """DEFAULT_EXCEPTION_REPORTER_FILTER set to keysmith's; Django caches the filter, so the
    cache is cleared around the override."""
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=REPORTER):
        get_default_exception_reporter_filter.cache_clear()  # type: ignore[attr-defined]
        yield
    get_default_exception_reporter_filter.cache_clear()  # type: ignore[attr-defined]


@pytest.fixture
def reports() -> Iterator[list[str]]:
    """The HTML and text error reports Django builds for each failed request."""
    built: list[str] = []

    def render(sender: Any, request: Any, **kwargs: Any) -> None:
        exc_type, exc, tb = sys.exc_info()
        reporter = ExceptionReporter(request, exc_type, exc, tb, is_email=True)
        built.extend([reporter.get_traceback_html(), reporter.get_traceback_text()])

    got_request_exception.connect(render)
    yield built
    got_request_exception.disconnect(render)


def secret_part(raw: str) -> str:
    return raw.split(":", 1)[1][:-6]


@pytest.mark.django_db
@override_settings(KEYSMITH=QUERY_ALLOWED, ADMINS=ADMINS)
def test_query_token_absent_from_error_reports_of_failing_view(
    make_token: TokenFactory, reports: list[str]
) -> None:
    _, raw = make_token()
    response = Client(raise_request_exception=False).get("/failing/", {"keysmith_token": raw})
    assert response.status_code == 500
    assert len(reports) == 2
    assert len(mail.outbox) == 1
    for text in [*reports, mail.outbox[0].body, mail.outbox[0].subject]:
        assert secret_part(raw) not in text
    assert "keysmith_token=********************" in reports[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("keysmith_reporter_filter")
@override_settings(KEYSMITH={"HEADER_NAME": "HTTP_AUTHORIZATION", "HASH_ITERATIONS": 10_000})
def test_token_absent_from_reports_of_failure_inside_authentication(
    make_token: TokenFactory, reports: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raw = make_token()

    def broken(self: Any, prefix: str) -> Any:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(DjangoTokenStore, "get_by_prefix", broken)
    response = Client(raise_request_exception=False).get("/open/", HTTP_AUTHORIZATION=raw)
    assert response.status_code == 500
    html, text = reports
    assert "database unavailable" in text
    assert "HTTP_AUTHORIZATION" in html
    assert secret_part(raw) not in html
    assert secret_part(raw) not in text


def report_for(request: Any) -> str:
    """The HTML report of an error raised while handling ``request`` (locals: request only)."""
    try:
        raise ValueError("failed before keysmith ran")
    except ValueError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


@pytest.mark.django_db
@pytest.mark.usefixtures("keysmith_reporter_filter")
def test_reporter_filter_redacts_request_that_never_reached_middleware(
    rf: Any, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    html = report_for(rf.get("/x/", {"keysmith_token": raw, "page": "3"}))
    assert "failed before keysmith ran" in html
    assert secret_part(raw) not in html
    assert "page" in html


@pytest.mark.django_db
@override_settings(KEYSMITH=QUERY_ALLOWED)
def test_query_token_absent_from_audit_rows(client: Client, make_token: TokenFactory) -> None:
    _, raw = make_token()
    client.get("/required/", {"keysmith_token": raw, "next": "/x"})
    client.get("/required/", {"keysmith_token": raw[:-1] + "0"})
    rows = list(TokenAuditLog.objects.filter(action__startswith="auth").values())
    assert len(rows) == 2
    assert {row["path"] for row in rows} == {"/required/"}
    assert all(secret_part(raw) not in str(row) for row in rows)


@contextmanager
def dev_server() -> Iterator[str]:
    """Django's development server (runserver's server and request handler) on a free port.

    Not threaded: leaving the block waits for the request in flight, and its log line.
    """
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.django_db(transaction=True)
@override_settings(KEYSMITH=QUERY_ALLOWED)
@pytest.mark.parametrize(
    # Percent-encoded names too: Django's query parser decodes them, so they authenticate.
    "name",
    ["keysmith_token", "keysmith%5Ftoken", "keysmith%5ftoken", "%6Beysmith_token"],
)
def test_query_token_absent_from_development_server_log(
    make_token: TokenFactory, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    _, raw = make_token()
    server_logger = logging.getLogger("django.server")
    server_logger.addHandler(caplog.handler)
    try:
        with (
            dev_server() as url,
            urllib.request.urlopen(f"{url}/required/?{name}={raw}&a=1") as reply,
        ):
            assert reply.status == 200
    finally:
        server_logger.removeHandler(caplog.handler)
    lines = [record.getMessage() for record in caplog.records if record.name == "django.server"]
    assert any(f"/required/?{name}=********************&a=1" in line for line in lines)
    assert all(secret_part(raw) not in line for line in lines)

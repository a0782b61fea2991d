"""No error report, and no frame an error tracker records, ever shows the raw token: with
Django's default reporter filter, whatever the header is called and wherever the failure is."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import pytest
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.test import Client, override_settings
from django.views.debug import ExceptionReporter
from support.frames import leaks
from test_django.wiring import TokenFactory

from keysmith.django.store import DjangoTokenStore

pytestmark = pytest.mark.django_db

Failure = tuple[Any, tuple[type[BaseException], BaseException, TracebackType]]


@pytest.fixture
def failures() -> Iterator[list[Failure]]:
    """The request and exception of every request that ended in a 500."""
    caught: list[Failure] = []

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        caught.append((request, sys.exc_info()))  # type: ignore[arg-type]

    got_request_exception.connect(remember)
    yield caught
    got_request_exception.disconnect(remember)


def reports(failure: Failure) -> tuple[str, str]:
    request, exc_info = failure
    reporter = ExceptionReporter(request, *exc_info)
    return reporter.get_traceback_html(), reporter.get_traceback_text()


def store_raising(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def get_by_prefix(self: Any, prefix: str) -> Any:
        raise error

    monkeypatch.setattr(DjangoTokenStore, "get_by_prefix", get_by_prefix)


def test_store_bug_during_authentication_report_shows_no_token(
    make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch, failures: list[Failure]
) -> None:
    _, raw = make_token()
    secret = raw.split(":")[1]
    store_raising(monkeypatch, RuntimeError("the store has a bug"))
    client = Client(raise_request_exception=False)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 500
    html, text = reports(failures[0])
    assert "the store has a bug" in text  # the report is the real one
    assert secret not in html
    assert secret not in text
    assert leaks(failures[0][1][2], secret) == []


def test_store_outage_logged_traceback_frames_hold_no_token(
    make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _, raw = make_token()
    secret = raw.split(":")[1]
    store_raising(monkeypatch, OperationalError("the database went away"))
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 503
    logged = [r for r in caplog.records if r.exc_info]
    assert logged
    for record in logged:
        assert record.exc_info is not None
        assert secret not in record.getMessage()
        assert leaks(record.exc_info[2], secret) == []


@pytest.mark.parametrize(
    ("header_name", "meta_key"),
    [
        ("HTTP_X_KEYSMITH_TOKEN", "HTTP_X_KEYSMITH_TOKEN"),
        ("HTTP_X_CLIENT_CREDENTIAL", "HTTP_X_CLIENT_CREDENTIAL"),
    ],
)
def test_view_bug_report_hides_token_header_whatever_its_name(
    make_token: TokenFactory, failures: list[Failure], header_name: str, meta_key: str
) -> None:
    _, raw = make_token()
    secret = raw.split(":")[1]
    with override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": header_name}):
        client = Client(raise_request_exception=False)
        headers: dict[str, Any] = {meta_key: raw}
        assert client.get("/failing/", **headers).status_code == 500
    html, text = reports(failures[0])
    assert "the view failed" in text
    assert meta_key in text  # the header is listed, its value hidden
    assert secret not in html
    assert secret not in text

"""keysmith's pytest fixtures, active only where a ``conftest.py`` asks for them with
``pytest_plugins = ["keysmith.testing"]`` (installing keysmith activates nothing).

``keysmith_service`` is the service the other fixtures work on: in a Django project keysmith's
own; elsewhere override it in your ``conftest.py`` (return ``Keysmith.state(app).service``,
an ASGI ``TokenAuthenticator``'s ``.service``, a ``keysmith.sqlalchemy.service(url)``...).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from keysmith.testing.audit import AuditEvents, capture_audit
from keysmith.testing.clients import authenticated
from keysmith.testing.clock import TestClock, frozen_clock
from keysmith.testing.tokens import IssuedToken, issue_token

TokenFactory = Callable[..., IssuedToken[Any]]


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _django_project() -> bool:
    """Whether this test run is a Django project with keysmith installed."""
    if not _installed("django"):
        return False
    from django.apps import apps  # noqa: PLC0415 (only in Django projects)
    from django.conf import settings  # noqa: PLC0415

    return bool(settings.configured) and apps.ready and apps.is_installed("keysmith")


def _django_testing() -> Any:
    return importlib.import_module("keysmith.django.testing")


# Fixtures that write tokens: in a Django project their tests need the database.
_DATABASE_FIXTURES = frozenset({"keysmith_token", "keysmith_client", "keysmith_api_client"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give pytest-django's ``django_db`` mark to the tests that issue tokens and have none:
    pytest-django sets the test database up for the tests it sees asking for it."""
    if not config.pluginmanager.hasplugin("django") or not _django_project():
        return
    for item in items:
        uses = _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture
def keysmith_service() -> Any:
    """The token service the ``keysmith_*`` fixtures work on (override it outside Django)."""
    if _django_project():
        return importlib.import_module("keysmith.django.runtime").get_service()
    raise pytest.UsageError(
        "keysmith_service: no Django project with keysmith here. Define a `keysmith_service` "
        "fixture in your conftest.py returning your app's token service (for example "
        "Keysmith.state(app).service, your TokenAuthenticator, or "
        "keysmith.sqlalchemy.service(url))."
    )


@pytest.fixture
def keysmith_token(request: pytest.FixtureRequest) -> TokenFactory:
    """``keysmith_token(scopes=[...], user=..., expires_at=..., name=...)`` issues a token and
    returns it as an ``IssuedToken`` (``.raw``, ``.record``)."""
    if _django_project():
        issue: TokenFactory = _django_testing().issue_token
        return issue
    service = request.getfixturevalue("keysmith_service")

    def issue_through_service(**options: Any) -> IssuedToken[Any]:
        return issue_token(service, **options)

    return issue_through_service


@pytest.fixture
def keysmith_audit(request: pytest.FixtureRequest) -> Iterator[AuditEvents]:
    """The audit events keysmith emitted during the test, oldest first (written at once)."""
    if _django_project():
        with _django_testing().capture_audit() as events:
            yield events
        return
    with capture_audit(request.getfixturevalue("keysmith_service")) as events:
        yield events


@pytest.fixture
def keysmith_clock() -> Iterator[TestClock]:
    """keysmith's time, frozen at the test's start: ``keysmith_clock.advance(days=91)``."""
    with frozen_clock() as clock:
        yield clock


if _installed("django"):

    @pytest.fixture
    def keysmith_client(keysmith_token: TokenFactory) -> Callable[..., Any]:
        """``keysmith_client(token=None, **token_options)``: a ``django.test.Client`` sending
        ``token`` (or a token issued with ``token_options``) with every request."""
        from django.test import Client  # noqa: PLC0415

        def make(token: IssuedToken[Any] | str | None = None, **options: Any) -> Any:
            chosen = token if token is not None else keysmith_token(**options)
            return authenticated(Client(), chosen)

        return make


if _installed("rest_framework"):

    @pytest.fixture
    def keysmith_api_client(keysmith_token: TokenFactory) -> Callable[..., Any]:
        """As ``keysmith_client``, with DRF's ``APIClient``."""
        from rest_framework.test import APIClient  # noqa: PLC0415

        def make(token: IssuedToken[Any] | str | None = None, **options: Any) -> Any:
            chosen = token if token is not None else keysmith_token(**options)
            return authenticated(APIClient(), chosen)

        return make

"""Configures Django for the tests that need it, and the fixtures every Django test tree shares.

Imported by conftest files only (``from test_django.wiring import ...``), so the
framework-free test sessions never load Django.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_django.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from keysmith.django.buffering import buffer_in_tests  # noqa: E402
from keysmith.services.tokens import create_token  # noqa: E402

TokenFactory = Callable[..., "tuple[Any, str]"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """Point the postgres configuration at the server this test run started."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        server: Any = request.getfixturevalue("postgres_server")
        # Each test tree's conftest registers this fixture, so a run of several trees calls it
        # once per tree; later calls must not undo the test database name set in between.
        if database["HOST"] != server.host:
            database.update(
                HOST=server.host, PORT=str(server.port), USER=server.user, NAME=server.dbname
            )


@pytest.fixture
def real_audit_buffer() -> Iterator[None]:
    """Buffer authentication rows as outside tests (for tests of the buffered writer itself)."""
    with buffer_in_tests():
        yield


@pytest.fixture(autouse=True)
def close_thread_connections() -> Iterator[None]:
    """Close the connections other threads opened (store threads, ASGI request threads).

    Django keeps one connection per thread and the test client does not close them, so
    without this PostgreSQL refuses to drop the test database at the end of the run.
    """
    opened: list[Any] = []

    def remember(sender: Any, connection: Any, **kwargs: Any) -> None:
        thread = threading.current_thread()
        # A live server's request thread closes its connections itself as the request ends;
        # closing them here as well can race that close (SQLite then crashes the process).
        if thread is threading.main_thread() or thread.name.endswith("(process_request_thread)"):
            return
        opened.append(connection)

    connection_created.connect(remember)
    yield
    connection_created.disconnect(remember)
    for connection in opened:
        connection.inc_thread_sharing()
        connection.close()
        connection.dec_thread_sharing()


@pytest.fixture
def make_token(db: None) -> TokenFactory:
    """Create a token through the service: ``make_token(name=..., scopes=[...], user=...)``."""

    def make(**fields: Any) -> tuple[Any, str]:
        fields.setdefault("name", "test token")
        return create_token(**fields)

    return make

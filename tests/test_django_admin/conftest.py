"""Django wiring and fixtures shared with tests/test_django, plus the admin tests' own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from test_django.wiring import (
    TokenFactory,
    close_thread_connections,
    django_db_modify_db_settings,
    make_token,
)

__all__ = [
    "TokenFactory",
    "close_thread_connections",
    "django_db_modify_db_settings",
    "make_token",
]

StaffClient = Callable[..., Client]


@pytest.fixture
def staff_client(db: None) -> StaffClient:
    """A client logged in as a staff user holding only the given permission codenames."""

    def login(*codenames: str, username: str = "staff") -> Client:
        user = get_user_model().objects.create_user(username=username, password="pw", is_staff=True)
        permissions = apps.get_model("auth", "Permission").objects
        user.user_permissions.set(permissions.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client

    return login

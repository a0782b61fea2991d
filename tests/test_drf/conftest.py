"""Fixtures of the DRF tests: the shared Django test project, with these tests' URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Configures Django, which DRF's modules read as they are imported.
from test_django.wiring import (  # isort: skip
    TokenFactory,
    close_thread_connections,
    django_db_modify_db_settings,
    make_token,
)

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

__all__ = [
    "TokenFactory",
    "close_thread_connections",
    "django_db_modify_db_settings",
    "make_token",
]

KEYSMITH_MIDDLEWARE = "keysmith.django.middleware.KeysmithAuthenticationMiddleware"


def scoped(make_token: TokenFactory, *codenames: str, **fields: Any) -> tuple[Any, str]:
    """A token holding the permissions with these codenames."""
    return make_token(scopes=Permission.objects.filter(codename__in=codenames), **fields)


@pytest.fixture(autouse=True)
def drf_urls(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "test_drf.urls"
    # Throttle histories live in Django's cache: no test sees another's requests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def without_middleware(settings: Any) -> None:
    """DRF alone: the keysmith middleware is not installed."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != KEYSMITH_MIDDLEWARE]


@pytest.fixture(params=["with_middleware", "drf_alone"])
def arrangement(request: pytest.FixtureRequest, settings: Any) -> str:
    """Both ways to deploy: the keysmith middleware plus DRF's class, and DRF's class alone."""
    if request.param == "drf_alone":
        request.getfixturevalue("without_middleware")
    return str(request.param)

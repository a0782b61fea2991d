"""Test helpers for Django REST framework: an ``APIClient`` that sends a keysmith token.

Tokens, audit capture and the rest come from ``keysmith.django.testing`` and
``keysmith.testing``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rest_framework.test import APIClient

from keysmith.django.testing import token_meta
from keysmith.testing.tokens import IssuedToken

__all__ = ["authenticated"]

C = TypeVar("C", bound=APIClient)


def authenticated(client: C, token: IssuedToken[Any] | str) -> C:
    """``client.credentials(...)`` with ``token`` in the header ``KEYSMITH["HEADER_NAME"]``
    names (replacing credentials set before); returns ``client``."""
    client.credentials(**token_meta(token))
    return client

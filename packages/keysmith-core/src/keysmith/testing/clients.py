"""``authenticated(client, token)``: one call for the test client of any framework keysmith
serves, handed to that framework's own helper (imported only then)."""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from keysmith.testing.headers import keysmith_headers
from keysmith.testing.tokens import IssuedToken

__all__ = ["authenticated"]

C = TypeVar("C")

# The first class of the client's MRO from one of these modules picks the helper: DRF's
# APIClient is a Django Client too, and FastAPI's TestClient is Starlette's.
_HELPERS = (
    ("rest_framework.", "keysmith.drf.testing"),
    ("django.", "keysmith.django.testing"),
    ("starlette.", "keysmith.asgi.testing"),
    ("flask.", "keysmith.flask.testing"),
)


def _helper(client: object) -> str | None:
    for klass in type(client).__mro__:
        for package, helper in _HELPERS:
            if klass.__module__.startswith(package):
                return helper
    return None


def authenticated(client: C, token: IssuedToken[Any] | str, **options: Any) -> C:
    """Make every later request of ``client`` carry ``token``, and return ``client``.

    Django's ``Client`` and DRF's ``APIClient`` send it in the header the ``KEYSMITH`` settings
    name; a Flask test client in the one its app's keysmith reads; Starlette's and FastAPI's
    ``TestClient`` (and any client with a ``headers`` mapping, such as ``httpx.Client``) in
    ``X-Keysmith-Token`` unless ``options`` say otherwise (``header=``, ``bearer=True``, or
    ``authenticator=`` the app's ``TokenAuthenticator``).
    """
    helper = _helper(client)
    if helper is not None:
        # By name: importing this module must not need any framework.
        module = importlib.import_module(helper)
        authenticated_client: C = module.authenticated(client, token, **options)
        return authenticated_client
    headers = getattr(client, "headers", None)
    if headers is None or not hasattr(headers, "update"):
        raise TypeError(
            f"authenticated() does not know the client {type(client).__name__}: pass it "
            "keysmith_headers(token) with each request instead."
        )
    headers.update(keysmith_headers(token, **options))
    return client

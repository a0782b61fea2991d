"""The quick start end to end: its code (test_drf/quickstart.py runs the page's sample), served
by a real HTTP server, called over the network."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from keysmith.services.tokens import create_token


def call(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_quickstart_health_endpoint_over_http_returns_prefix(live_server: Any) -> None:
    # 1. Create a token (as the quick start does).
    User = get_user_model()  # noqa: N806 (the quick start's spelling)
    User.objects.create(username="api-user")
    user = User.objects.get(username="api-user")
    token, raw_token = create_token(name="local-dev", user=user)

    # 3. Call the endpoint, as `curl -H "X-KEYSMITH-TOKEN: <raw-token>" .../api/health/` does.
    url = f"{live_server.url}/api/health/"
    assert call(url, {"X-KEYSMITH-TOKEN": raw_token}) == (
        200,
        {"ok": True, "token_prefix": token.prefix},
    )
    status, body = call(url, {})
    assert (status, body) == (401, {"detail": "Authentication credentials were not provided."})

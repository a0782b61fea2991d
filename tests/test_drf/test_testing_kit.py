"""keysmith.drf.testing: DRF's APIClient carrying a keysmith token to DRF views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from keysmith.django.testing import capture_audit, issue_token
from keysmith.drf.testing import authenticated
from keysmith.testing import authenticated as any_authenticated
from keysmith.testing import frozen_clock

pytestmark = pytest.mark.django_db


def test_authenticated_api_client_reaches_scoped_view() -> None:
    issued = issue_token(scopes=["change_user"])
    client = authenticated(APIClient(), issued)
    assert client.get("/view-scopes/").status_code == 200
    assert (
        authenticated(APIClient(), issue_token(scopes=["view_user"]))
        .get("/view-scopes/")
        .status_code
        == 403
    )


def test_keysmith_testing_authenticated_dispatches_to_credentials() -> None:
    issued = issue_token()
    client = any_authenticated(APIClient(), issued)
    assert vars(client)["_credentials"] == {"HTTP_X_KEYSMITH_TOKEN": issued.raw}
    assert client.get("/required/").status_code == 200


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_API_KEY"})
def test_authenticated_api_client_uses_configured_header() -> None:
    issued = issue_token()
    assert authenticated(APIClient(), issued).get("/required/").status_code == 200
    plain = APIClient()
    plain.credentials(HTTP_X_KEYSMITH_TOKEN=issued.raw)
    assert plain.get("/required/").status_code == 401


def test_capture_audit_records_drf_request_once() -> None:
    with capture_audit() as events:
        issued = issue_token()
        authenticated(APIClient(), issued).get("/required/")
    assert events.actions() == ["created", "auth_success"]
    assert events[-1].status_code == 200


def test_frozen_clock_expires_token_at_drf_view() -> None:
    with frozen_clock() as clock:
        client = authenticated(APIClient(), issue_token(expires_at=timedelta(minutes=5)))
        assert client.get("/required/").status_code == 200
        clock.advance(minutes=5)
        assert client.get("/required/").status_code == 401

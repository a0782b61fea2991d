"""The project's own tests, run by Django's test runner (``manage.py test``)."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.test import TestCase, TransactionTestCase
from rest_framework.test import APIClient

from keysmith.audit.logger import log_audit_event
from keysmith.models import TokenAuditLog
from keysmith.services.tokens import create_token


def make_token() -> tuple[object, str]:
    user = User.objects.create_user("alice")
    return create_token(name="ci", user=user, scopes=[Permission.objects.get(codename="view_user")])


class ApiTests(TestCase):
    def test_plain_view_answers_and_audits(self) -> None:
        _token, raw = make_token()
        assert self.client.get("/plain/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
        assert self.client.get("/plain/", HTTP_X_KEYSMITH_TOKEN=raw + "0").status_code == 401
        actions = list(TokenAuditLog.objects.order_by("created_at", "id").values_list("action"))
        assert actions == [("created",), ("auth_success",), ("auth_failed",)]

    def test_drf_view_with_api_client(self) -> None:
        token, raw = make_token()
        client = APIClient()
        client.credentials(HTTP_X_KEYSMITH_TOKEN=raw)
        response = client.get("/api/items/")
        assert response.status_code == 200
        assert response.json() == {"prefix": token.prefix}  # type: ignore[attr-defined]

    def test_token_deleted_after_its_request(self) -> None:
        token, raw = make_token()
        self.client.get("/plain/", HTTP_X_KEYSMITH_TOKEN=raw)
        token.delete()  # type: ignore[attr-defined]
        self.client.get("/plain/", HTTP_X_KEYSMITH_TOKEN=raw)

    def test_explicit_event_is_there_at_once(self) -> None:
        token, _ = make_token()
        log_audit_event(action="auth_success", token=token, extra={"via": "sso"})
        assert TokenAuditLog.objects.filter(extra__via="sso").exists()


class FlushedTableTests(TransactionTestCase):
    def test_requests_before_the_tables_are_flushed(self) -> None:
        _, raw = make_token()
        for _ in range(3):
            APIClient().get("/api/items/", HTTP_X_KEYSMITH_TOKEN=raw)

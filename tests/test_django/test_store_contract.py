"""The store contract, run against the Django ORM store on the configured database."""

from __future__ import annotations

import pytest

from keysmith.django.store import DjangoTokenStore
from keysmith.models import Token
from keysmith.testing.contract import StoreContract, new_token


# Committed rows (not a rolled-back test transaction), so the contract's threads see them.
@pytest.mark.django_db(transaction=True)
class TestDjangoTokenStore(StoreContract):
    @pytest.fixture
    def store(self) -> DjangoTokenStore[Token]:
        return DjangoTokenStore(Token)

    @pytest.fixture
    def scope_names(self) -> tuple[str, str]:
        return ("add_group", "change_group")

    def test_insert_with_scopes_reports_scope_names(
        self, store: DjangoTokenStore[Token], scope_names: tuple[str, str]
    ) -> None:
        # As the contract's test, but with two different keys: keysmith_token.key is unique.
        record = store.insert(new_token(scopes=scope_names))
        assert store.scopes_of(record) == frozenset(scope_names)
        assert store.scopes_of(store.insert(new_token(key="hmac_sha256$a$other"))) == frozenset()

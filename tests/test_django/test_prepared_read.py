"""The compiled token read gives the same objects as the ORM, in one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from test_django.wiring import TokenFactory

from keysmith.django.store import DjangoTokenStore
from keysmith.models import Token

pytestmark = pytest.mark.django_db


def test_prepared_read_matches_orm_read_with_user_in_one_query(
    make_token: TokenFactory, django_assert_num_queries: Any
) -> None:
    user = get_user_model().objects.create_user("reader")
    token, _ = make_token(user=user)
    store = DjangoTokenStore(Token)
    expected = Token.objects.select_related("user").get(prefix=token.prefix)
    store.get_by_prefix(token.prefix)  # compiles the read
    with django_assert_num_queries(1):
        fetched = store.get_by_prefix(token.prefix)
        assert fetched is not None
        assert fetched.user.username == "reader"
    fields = [field.attname for field in Token._meta.concrete_fields]
    assert [getattr(fetched, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert fetched._state.adding is False
    assert fetched._state.db == "default"


def test_prepared_read_unknown_prefix_and_ownerless_token(make_token: TokenFactory) -> None:
    token, _ = make_token()
    store = DjangoTokenStore(Token)
    assert store.get_by_prefix("tok_Missing1") is None
    fetched = store.get_by_prefix(token.prefix)
    assert fetched is not None
    assert fetched.user is None
    assert fetched.expires_at == token.expires_at
    assert fetched.expires_at.tzinfo is not None

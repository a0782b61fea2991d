"""One token's audit rows, read the way the ``(token, -created_at)`` index serves them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def rows_of_token(queryset: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    """The audit rows of the token with ``prefix`` (none when no token has it).

    The token is looked up first, and its rows filtered by its id: joined on the prefix
    instead, the database cannot read a busy token's rows newest first from the
    ``(token, -created_at)`` index and sorts all of them (millions) for one page.
    """
    tokens = queryset.model._meta.get_field("token").related_model._default_manager
    found = list(tokens.filter(prefix=prefix).values_list("pk", flat=True)[:1])
    rows: QuerySet[Any] = queryset.filter(token_id=found[0]) if found else queryset.none()
    return rows

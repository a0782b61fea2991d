"""Changelist filters: token expiry, and text-input filters that scale to large audit tables."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from keysmith.django.token_rows import rows_of_token

EXPIRING_SOON = timedelta(days=7)


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("expired", "Expired"),
            ("valid", "Not expired"),
            ("soon", "Expires within 7 days"),
            ("never", "Never expires"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        conditions = {
            "expired": Q(expires_at__lte=now),
            "valid": Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            "soon": Q(expires_at__gt=now, expires_at__lte=now + EXPIRING_SOON),
            "never": Q(expires_at__isnull=True),
        }
        condition = conditions.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class TextInputFilter(admin.SimpleListFilter):
    """A free-text filter: one indexed lookup instead of a link per distinct value."""

    template = "admin/keysmith/text_filter.html"
    lookup: str = ""
    placeholder: str = ""
    other_parameters: list[tuple[str, str]] = []

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Iterator[Any]:
        # The template's form sends the other active parameters along as hidden fields, so
        # filtering here keeps every other filter and the search.
        self.other_parameters = [
            (name, value)
            for name, value in changelist.params.items()
            if name != self.parameter_name
        ]
        # Only the "All" entry: its query string is the link that clears this filter.
        yield from itertools.islice(super().choices(changelist), 1)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = (self.value() or "").strip()
        return queryset.filter(**{self.lookup: value}) if value else queryset


class TokenPrefixFilter(TextInputFilter):
    title = "token prefix"
    parameter_name = "token"
    placeholder = "Token prefix"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = (self.value() or "").strip()
        return rows_of_token(queryset, value) if value else queryset


class PathFilter(TextInputFilter):
    title = "path"
    parameter_name = "path"
    lookup = "path__startswith"
    placeholder = "Path starts with"

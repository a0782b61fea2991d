"""The audit list's status filter: fixed classes and the codes keysmith answers with, so the
list never asks the table for its distinct status codes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

# value: (label, lowest code, highest code)
STATUS_CHOICES: dict[str, tuple[str, int, int]] = {
    "2xx": ("2xx success", 200, 299),
    "3xx": ("3xx redirection", 300, 399),
    "4xx": ("4xx client error", 400, 499),
    "401": ("401 unauthorized", 401, 401),
    "403": ("403 forbidden", 403, 403),
    "429": ("429 too many requests", 429, 429),
    "5xx": ("5xx server error", 500, 599),
    "0": ("none (lifecycle events)", 0, 0),
}


class StatusFilter(admin.SimpleListFilter):
    title = "status code"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _, _) in STATUS_CHOICES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        choice = STATUS_CHOICES.get(self.value() or "")
        if choice is None:
            return queryset
        _, lowest, highest = choice
        if lowest == highest:
            selected: QuerySet[Any] = queryset.filter(status_code=lowest)
        else:
            selected = queryset.filter(status_code__gte=lowest, status_code__lte=highest)
        return selected

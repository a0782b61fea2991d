"""The admin's side of who reaches which tokens: its querysets, object permissions and owner
field (the rule itself is ``keysmith.django.ownership``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.http import HttpRequest

from keysmith.django.ownership import manages_others, owns

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Any]
else:
    ModelAdminBase = object


__all__ = ["OWN_TOKENS_ONLY", "OwnTokensOnly", "manages_others", "only_themselves", "owns"]

OWN_TOKENS_ONLY = "You can create tokens only for yourself."


def only_themselves(db_field: ForeignKey[Any, Any], request: HttpRequest) -> dict[str, Any]:
    """Form field options that make the person adding a token its owner: the only choice."""
    users = db_field.remote_field.model._default_manager
    return {
        "queryset": users.filter(pk=request.user.pk),
        "widget": forms.Select,  # not the raw-id box: it would invite typing another id
        "required": True,
        "empty_label": None,
        "error_messages": {"invalid_choice": OWN_TOKENS_ONLY, "required": OWN_TOKENS_ONLY},
        "help_text": 'Tokens of other users need the "Can manage tokens of other users" '
        "permission.",
    }


class OwnTokensOnly(ModelAdminBase):
    """Narrows an admin to the rows of the person's own tokens, unless they manage others'.

    The queryset is the line: the changelist, search, filters, actions (whatever ids a POST
    names) and every object URL see only those rows, so another person's token is exactly as
    absent as one that never existed. The object permissions say the same as a second line,
    for subclasses that widen the queryset.
    """

    # The lookup from a row of this admin to its token's owner.
    owner_lookup = "user"

    def token_model(self) -> type[Model]:
        return self.model

    def token_of(self, obj: Any) -> Any:
        return obj

    def reaches(self, request: HttpRequest, obj: Any) -> bool:
        if manages_others(request.user, self.token_model()):
            return True
        return owns(request.user, self.token_of(obj))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if manages_others(request.user, self.token_model()):
            return queryset
        own: QuerySet[Any] = queryset.filter(**{self.owner_lookup: request.user.pk})
        return own

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.reaches(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.reaches(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.reaches(request, obj))

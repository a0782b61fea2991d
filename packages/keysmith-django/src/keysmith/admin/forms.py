"""The admin's token form: scopes offered and checked by the configured scope policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q

from keysmith.core.errors import ScopeError
from keysmith.django.settings import get_settings
from keysmith.django.store import scope_name

if TYPE_CHECKING:
    ModelFormBase = forms.ModelForm[Any]
else:
    ModelFormBase = forms.ModelForm


class TokenAdminForm(ModelFormBase):
    """Offers only ``AVAILABLE_SCOPES`` (when set) plus the scopes the token already holds.

    Keeping held scopes in the choices means an edit of another field never drops one
    silently; a held scope that the policy no longer allows is reported by ``clean``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("scopes")
        if not isinstance(field, forms.ModelMultipleChoiceField):
            return
        queryset = field.queryset.select_related("content_type")  # type: ignore[union-attr]
        available = get_settings().AVAILABLE_SCOPES
        if available:
            allowed = Q(codename__in=available)
            if self.instance.pk is not None:
                allowed |= Q(pk__in=self.instance.scopes.all())
            queryset = queryset.filter(allowed)
        field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        scopes = cleaned.get("scopes")
        if "scopes" in self.fields and scopes is not None:
            try:
                get_settings().scope_policy.resolve(list(scopes), scope_name)
            except ScopeError as error:
                self.add_error("scopes", str(error))
        return cleaned

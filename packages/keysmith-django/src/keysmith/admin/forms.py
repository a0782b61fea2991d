"""The admin's token form: scopes offered and checked by the scope policy and the grantor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q

from keysmith.core.errors import ScopeError
from keysmith.django.grants import Grantor
from keysmith.django.settings import get_settings
from keysmith.django.store import scope_name

if TYPE_CHECKING:
    ModelFormBase = forms.ModelForm[Any]
else:
    ModelFormBase = forms.ModelForm


class TokenAdminForm(ModelFormBase):
    """Offers only ``AVAILABLE_SCOPES`` (when set) that the person saving may grant, plus the
    scopes the token already holds.

    Keeping held scopes in the choices means an edit of another field never drops one
    silently; a held scope that the policy no longer allows is reported by ``clean``, and
    keeping one the person does not hold grants nothing new. Any scope the POST adds is
    checked against the grantor by name, so a forged choice gets a clear error.
    """

    # The person saving the form: the admin sets it on the class it builds for each request.
    # Nobody (None) may grant anything.
    actor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not the primary key: a UUID default gives a new token one before it is saved.
        self.adding: bool = self.instance._state.adding
        self.held: set[Any] = set()
        field = self.fields.get("scopes")
        if not isinstance(field, forms.ModelMultipleChoiceField):
            return
        queryset = field.queryset.select_related("content_type")  # type: ignore[union-attr]
        if not self.adding:
            self.held = set(self.instance.scopes.values_list("pk", flat=True))
        available = get_settings().AVAILABLE_SCOPES
        if available:
            queryset = queryset.filter(Q(codename__in=available) | Q(pk__in=self.held))
        # Validation accepts every available scope, so that clean() can name what is refused;
        # the widget offers only what may be granted.
        field.queryset = queryset
        grantor = Grantor(self.actor, self._owner())
        field.widget.choices = [
            (scope.pk, field.label_from_instance(scope))
            for scope in queryset
            if scope.pk in self.held or grantor.may_grant(scope)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        scopes = cleaned.get("scopes")
        if "scopes" in self.fields and scopes is not None:
            try:
                get_settings().scope_policy.resolve(list(scopes), scope_name)
            except ScopeError as error:
                self.add_error("scopes", str(error))
            grantor = Grantor(self.actor, self._owner(cleaned.get("user")))
            added = [scope for scope in scopes if scope.pk not in self.held]
            for message in grantor.refusals(added):
                self.add_error("scopes", message)
        return cleaned

    def _owner(self, chosen: Any = None) -> Any:
        """The token's owner: fixed once the token exists, else the one chosen on the form."""
        return chosen if self.adding else self.instance.user

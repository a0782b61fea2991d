"""The token admin: creation through the service (raw token shown once), a change form that
cannot un-revoke, revoke / purge / rotate behind a confirmation page, each on own tokens only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from keysmith.admin.filters import ExpiryFilter
from keysmith.admin.forms import TokenAdminForm
from keysmith.admin.issued import render_issued
from keysmith.admin.layout import ADD_FIELDSETS, CHANGE_FIELDSETS, EDITABLE_ON_CHANGE
from keysmith.admin.operations import OPERATIONS, PURGE, REVOKE, ROTATE, Operation, perform
from keysmith.admin.ownership import OwnTokensOnly, manages_others, only_themselves
from keysmith.admin.pagination import NO_FACETS, CappedCountPaginator
from keysmith.django.grants import holds
from keysmith.django.settings import get_settings
from keysmith.django.store import resolve_scopes
from keysmith.management.lookup import state_of
from keysmith.models.utils import get_audit_log_model
from keysmith.services.tokens import create_token

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Any]
else:
    ModelAdminBase = admin.ModelAdmin

# The request attribute that carries the new raw token from save_form to response_add.
ISSUED = "_keysmith_issued"

# Django's own words (and translation) for an action without a selection.
NOTHING_SELECTED = gettext_lazy(
    "Items must be selected in order to perform actions on them. No items have been changed."
)


class TokenAdmin(OwnTokensOnly, ModelAdminBase):
    form = TokenAdminForm
    change_form_template = "admin/keysmith/token/change_form.html"
    list_display = ("prefix", "name", "user", "token_type", "state", "expires_at", "last_used_at")
    list_select_related = ("user",)
    # Starts-with lookups, each served by an index (the prefix's unique one, the name's); a
    # "contains" search reads every token.
    search_fields = ("prefix__startswith", "name__startswith")
    search_help_text = "The start of a token prefix (tok_ab12) or of a name, case-sensitive."
    list_filter = ("token_type", "revoked", "purged", ExpiryFilter)
    # Newest first from the created_at index; the id breaks ties.
    ordering = ("-created_at", "-id")
    # No full counts: the page count stops at CappedCountPaginator's cap.
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = NO_FACETS
    raw_id_fields = ("user",)
    filter_horizontal = ("scopes",)
    actions = ("revoke_selected", "purge_selected", "rotate_selected")
    save_as = False

    @admin.display(description="state")
    def state(self, token: Any) -> str:
        return state_of(token)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return ADD_FIELDSETS if obj is None else CHANGE_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        return tuple(name for name in fields if name not in EDITABLE_ON_CHANGE)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "user" and not manages_others(request.user, self.model):
            kwargs.update(only_themselves(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # A class of this request's own, so that the form checks scopes against its person.
        return type(form.__name__, (form,), {"actor": request.user})

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        if "user" not in initial and not manages_others(request.user, self.model):
            initial["user"] = request.user.pk
        if "scopes" not in initial:
            permissions = self.model._meta.get_field("scopes").related_model
            try:
                defaults = resolve_scopes(permissions, get_settings().DEFAULT_SCOPES)
            except ValueError:  # reported by the system checks; the admin still opens
                defaults = []
            initial["scopes"] = [p.pk for p in defaults if holds(request.user, p)]
        return initial

    @sensitive_variables("raw")
    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        owner = data.get("user")
        mine = owner is not None and owner.pk == request.user.pk
        if not mine and not manages_others(request.user, self.model):
            raise PermissionDenied  # the form offers no other owner: this is a second line
        token, raw = create_token(
            name=data["name"],
            description=data.get("description") or "",
            user=owner,
            token_type=data.get("token_type") or None,
            scopes=list(data.get("scopes") or ()),
            expires_at=data.get("expires_at"),
            created_by=request.user,
            request=request,
        )
        setattr(request, ISSUED, (token, raw))
        return token

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            return  # create_token stored it
        # Only the edited columns: a full save would write back the revoked flag and the key
        # as they were read, undoing a revocation or rotation that happened meanwhile.
        columns = {field.name for field in obj._meta.concrete_fields}
        changed = [name for name in form.changed_data if name in columns]
        if changed:
            obj.save(update_fields=changed)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        issued = request.__dict__.pop(ISSUED, None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return render_issued(
            self, request, [issued], title="Token created", after_url=self._url("change", obj)
        )

    @admin.action(description="Revoke selected tokens…", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._bulk(request, queryset, REVOKE, "revoke_selected")

    @admin.action(description="Purge selected tokens…", permissions=["change"])
    def purge_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._bulk(request, queryset, PURGE, "purge_selected")

    @admin.action(description="Rotate selected tokens…", permissions=["change"])
    def rotate_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._bulk(request, queryset, ROTATE, "rotate_selected")

    def _bulk(
        self, request: HttpRequest, queryset: QuerySet[Any], operation: Operation, action: str
    ) -> HttpResponseBase:
        # The queryset holds only tokens this person reaches; the object check is a second line.
        candidates = queryset.select_related("user")
        tokens = [token for token in candidates if self.has_change_permission(request, token)]
        done_url = request.get_full_path()
        if not tokens:  # every selected id named a token this person does not reach
            self.message_user(request, NOTHING_SELECTED, messages.WARNING)
            return HttpResponseRedirect(done_url)
        return perform(self, request, tokens, operation, done_url=done_url, action=action)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.operation_view),
                {"operation": name},
                name="{}_{}_{}".format(*info, name),
            )
            for name in OPERATIONS
        ]
        return own + super().get_urls()

    def operation_view(
        self, request: HttpRequest, object_id: str, operation: str
    ) -> HttpResponseBase:
        """One token: GET (or POST without confirmation) asks, the confirming POST acts."""
        token = self.get_object(request, unquote(object_id))
        if token is None:
            raise Http404(f"No {self.opts.verbose_name} with ID {object_id!r}.")
        if not self.has_change_permission(request, token):
            raise PermissionDenied
        done_url = self._url("change", token)
        return perform(self, request, [token], OPERATIONS[operation], done_url=done_url)

    def render_change_form(  # noqa: PLR0917 (Django's signature)
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            allowed = self.has_change_permission(request, obj)
            context["keysmith_operations"] = [
                {"label": operation.verb, "url": self._url(operation.name, obj)}
                for operation in OPERATIONS.values()
                if allowed and operation.applies(obj)
            ]
            context["keysmith_audit_url"] = self._audit_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _url(self, name: str, token: Any) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(
            "admin:{}_{}_{}".format(*info, name),
            args=[quote(token.pk)],
            current_app=self.admin_site.name,
        )

    def _audit_url(self, token: Any) -> str | None:
        audit = get_audit_log_model()._meta
        if audit.get_field("token").related_model is not self.model:
            return None
        try:
            url = reverse(
                f"admin:{audit.app_label}_{audit.model_name}_changelist",
                current_app=self.admin_site.name,
            )
        except NoReverseMatch:
            return None
        return f"{url}?{urlencode({'token': token.prefix})}"

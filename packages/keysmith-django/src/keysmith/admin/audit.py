"""The audit-log admin: browsable and filterable, strictly read-only, own tokens' rows only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from keysmith.admin.filters import PathFilter, TokenPrefixFilter
from keysmith.admin.ownership import OwnTokensOnly, manages_others
from keysmith.admin.pagination import NO_FACETS, CappedCountPaginator
from keysmith.admin.status import StatusFilter
from keysmith.django.token_rows import rows_of_token

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Any]
else:
    ModelAdminBase = admin.ModelAdmin

# Up to this many tokens, a person's audit rows are read by their tokens' ids.
OWN_TOKEN_IDS = 1000

FIELDS = (
    "created_at",
    "action",
    "token_link",
    "path",
    "method",
    "status_code",
    "ip_address",
    "user_agent",
    "extra_json",
)


class TokenAuditLogAdmin(OwnTokensOnly, ModelAdminBase):
    list_display = (
        "created_at",
        "action",
        "token_link",
        "path",
        "method",
        "status_code",
        "ip_address",
    )
    # Each filter is one indexed condition, and none asks the table for its values: the
    # action and status choices are fixed lists, the time filter offers fixed ranges (no date
    # drill-down: it reads the distinct months of the whole table on every page).
    list_filter = (
        TokenPrefixFilter,
        "action",
        PathFilter,
        StatusFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    # The time of the event, not of the write: authentication rows are written in batches,
    # after lifecycle rows of later events. The id only breaks ties.
    ordering = ("-created_at", "-id")
    # The search takes a token prefix (exactly); see get_search_results.
    search_fields = ("token__prefix",)
    search_help_text = "A token prefix, exactly (tok_ab12CD34)."
    list_select_related = ("token",)
    fields = FIELDS
    readonly_fields = FIELDS
    actions = None
    list_per_page = 100
    # No full counts: the page count stops at CappedCountPaginator's cap.
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = NO_FACETS
    # A row belongs to its token's owner; rows without a token, or of a system token, to
    # nobody: only those who manage others' tokens see them.
    owner_lookup = "token__user"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if manages_others(request.user, self.token_model()):
            return queryset
        # Narrowed by the ids of the person's tokens rather than joined on their owner: with
        # one token (the common case) the (token, -created_at) index hands over a page at
        # once, where the join reads the whole table newest first looking for their rows.
        tokens = self.token_model()._default_manager.filter(user=request.user.pk)
        ids = list(tokens.values_list("pk", flat=True)[: OWN_TOKEN_IDS + 1])
        if len(ids) > OWN_TOKEN_IDS:
            return queryset  # already narrowed by the join; a list that long costs more
        own: QuerySet[Any] = queryset.filter(token_id__in=ids)
        return own

    def token_model(self) -> type[Model]:
        related: type[Model] = self.model._meta.get_field("token").related_model
        return related

    def token_of(self, entry: Any) -> Any:
        return entry.token

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return rows_of_token(queryset, term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="token", ordering="token__prefix")
    def token_link(self, entry: Any) -> str | SafeString:
        token = entry.token
        if token is None:
            return "-"
        opts = token._meta
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(token.pk)],
                current_app=self.admin_site.name,
            )
        except NoReverseMatch:
            return str(token.prefix)
        return format_html('<a href="{}">{}</a>', url, token.prefix)

    @admin.display(description="extra")
    def extra_json(self, entry: Any) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(entry.extra, indent=2, sort_keys=True))

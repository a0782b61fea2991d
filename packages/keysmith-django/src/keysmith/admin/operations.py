"""Revoke, purge and rotate from the admin: a confirmation page, then the change on its POST."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import router, transaction
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_variables

from keysmith.admin.issued import render_issued
from keysmith.core.errors import TokenStateError
from keysmith.management.lookup import state_of
from keysmith.services.tokens import purge_token, revoke_token, rotate_token

CONFIRM_TEMPLATE = "admin/keysmith/token/confirm.html"
# The field the confirmation form adds; its absence means "show the confirmation page".
CONFIRMED_FIELD = "post"


@dataclass(frozen=True)
class Operation:
    name: str
    verb: str
    past: str
    consequence: str
    applies: Callable[[Any], bool]
    run: Callable[[Any, HttpRequest], str | None]


def _rotate(token: Any, request: HttpRequest) -> str:
    return rotate_token(token, request=request, actor=request.user)


def _revoke(token: Any, request: HttpRequest) -> None:
    revoke_token(token, request=request, actor=request.user)


def _purge(token: Any, request: HttpRequest) -> None:
    purge_token(token, request=request, actor=request.user)


ROTATE = Operation(
    name="rotate",
    verb="Rotate",
    past="rotated",
    consequence="Each token gets a new secret and keeps its prefix, owner and scopes. "
    "The current secret stops working (after the rotation grace period, if one is "
    "configured). The new raw tokens are shown once, on the next page.",
    applies=lambda token: not token.revoked and not token.purged,
    run=_rotate,
)
REVOKE = Operation(
    name="revoke",
    verb="Revoke",
    past="revoked",
    consequence="Revoked tokens stop authenticating at once. The admin cannot undo this.",
    applies=lambda token: not token.revoked,
    run=_revoke,
)
PURGE = Operation(
    name="purge",
    verb="Purge",
    past="purged",
    consequence="Purged tokens are revoked and retired for good; their rows and audit "
    "trail are kept. The admin cannot undo this.",
    applies=lambda token: not token.purged,
    run=_purge,
)
OPERATIONS = {operation.name: operation for operation in (ROTATE, REVOKE, PURGE)}


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED_FIELD) == "yes"


def perform(
    model_admin: Any,
    request: HttpRequest,
    tokens: Sequence[Any],
    operation: Operation,
    *,
    done_url: str,
    action: str | None = None,
) -> HttpResponseBase:
    """The confirmation page, or, on its confirming POST, the operation and its outcome."""
    if not is_confirmed(request):
        return _confirmation(
            model_admin, request, tokens, operation, done_url=done_url, action=action
        )
    done, skipped = _apply(model_admin, request, tokens, operation)
    if operation is ROTATE:
        title = f"{len(done)} token{'s' if len(done) != 1 else ''} rotated"
        return render_issued(
            model_admin, request, done, title=title, after_url=done_url, skipped=skipped
        )
    model_admin.message_user(
        request,
        f"{operation.past.capitalize()} {len(done)} of {len(tokens)} selected token(s).",
        messages.SUCCESS,
    )
    if skipped:
        names = ", ".join(token.prefix for token in skipped)
        model_admin.message_user(
            request, f"Already {operation.past}, left alone: {names}.", messages.WARNING
        )
    return HttpResponseRedirect(done_url)


@sensitive_variables("done", "raw")
def _apply(
    model_admin: Any, request: HttpRequest, tokens: Sequence[Any], operation: Operation
) -> tuple[list[tuple[Any, str]], list[Any]]:
    done: list[tuple[Any, str]] = []
    skipped: list[Any] = []
    with transaction.atomic(using=router.db_for_write(model_admin.model)):
        for token in tokens:
            if not operation.applies(token):
                skipped.append(token)
                continue
            try:
                raw = operation.run(token, request)
            except TokenStateError:  # revoked by someone else since the page was loaded
                skipped.append(token)
                continue
            # A revoke or purge that another request got to first leaves the record unchanged.
            if raw is None and operation.applies(token):
                skipped.append(token)
            else:
                done.append((token, raw or ""))
    return done, skipped


def _confirmation(
    model_admin: Any,
    request: HttpRequest,
    tokens: Sequence[Any],
    operation: Operation,
    *,
    done_url: str,
    action: str | None,
) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{operation.verb} {len(tokens)} token{'s' if len(tokens) != 1 else ''}?",
        "opts": model_admin.opts,
        "operation": operation,
        "rows": [
            {"token": token, "state": state_of(token), "applies": operation.applies(token)}
            for token in tokens
        ],
        "applicable": sum(operation.applies(token) for token in tokens),
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "confirmed_field": CONFIRMED_FIELD,
        "done_url": done_url,
    }
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)

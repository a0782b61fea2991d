"""The one-time page: raw tokens rendered straight into the response that created them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables

TEMPLATE = "admin/keysmith/token/issued.html"


@sensitive_variables("issued")
def render_issued(
    model_admin: Any,
    request: HttpRequest,
    issued: Sequence[tuple[Any, str]],
    *,
    title: str,
    after_url: str,
    skipped: Sequence[Any] = (),
) -> TemplateResponse:
    """Show each ``(token, raw_token)`` once.

    The raw tokens live only in this response: not in the session, the messages, a cache or
    a log. ``after_url`` replaces the page's history entry (see ``issued.js``), so reloading
    loads that page instead of posting the form again, and ``no-store`` keeps the page out of
    the browser's cache.
    """
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "issued": [{"token": token, "raw": raw} for token, raw in issued],
        "skipped": skipped,
        "after_url": after_url,
    }
    response = TemplateResponse(request, TEMPLATE, context)
    add_never_cache_headers(response)
    return response

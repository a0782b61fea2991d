"""Error reports that never show a request's token, whatever its header is called.

Django's reporter filter hides ``request.META`` keys that look sensitive (``...TOKEN``,
``...KEY``); a custom ``HEADER_NAME`` such as ``HTTP_X_CLIENT_CREDENTIAL`` does not, so any view
bug on a request carrying a token would print it in the report. A request that carries one gets
a filter that also hides that header, built on whatever filter the project configured.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.debug import SafeExceptionReporterFilter

ALWAYS_HIDDEN = ("HTTP_AUTHORIZATION",)


# One filter per (project filter class, header): both come from settings, so few ever exist.
_BUILT: dict[tuple[type[SafeExceptionReporterFilter], str], Any] = {}
_DEFAULTS: dict[str, Any] = {}


def _hiding(base: type[SafeExceptionReporterFilter], meta_key: str) -> Any:
    built = _BUILT.get((base, meta_key))
    if built is not None:
        return built

    class TokenHidingFilter(base):  # type: ignore[valid-type,misc]
        def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
            meta: dict[str, Any] = super().get_safe_request_meta(request)
            for key in (meta_key, *ALWAYS_HIDDEN):
                if key in meta:
                    meta[key] = self.cleansed_substitute
            return meta

    hiding = TokenHidingFilter()
    hiding._keysmith_base = base  # so a second call builds on the project's filter, not on this
    _BUILT[(base, meta_key)] = hiding
    return hiding


def _project_filter(request: Any) -> object:
    """The filter class the report would use: the request's own, else the configured default
    (imported once per setting value: Django imports it anew on every call)."""
    current = getattr(request, "exception_reporter_filter", None)
    if current is not None:
        return getattr(current, "_keysmith_base", None) or type(current)
    path = settings.DEFAULT_EXCEPTION_REPORTER_FILTER
    found = _DEFAULTS.get(path)
    if found is None:
        found = _DEFAULTS[path] = import_string(path)
    return found


def hide_token_in_reports(request: Any, meta_key: str) -> None:
    """Give ``request`` a reporter filter that hides ``meta_key`` too (built once per filter
    class and header); a filter that is not Django's kind is left as it is."""
    base = _project_filter(request)
    if isinstance(base, type) and issubclass(base, SafeExceptionReporterFilter):
        request.exception_reporter_filter = _hiding(base, meta_key)

"""Keeping raw tokens out of Django's error reports and out of request log lines."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote_plus

from django.views.debug import SafeExceptionReporterFilter

import keysmith.core
from keysmith.conf import raw_setting

SUBSTITUTE = SafeExceptionReporterFilter.cleansed_substitute
# The core's lifecycle flows are generators: once an error unwinds them their frames have no
# caller, so Django's @sensitive_variables cannot reach them. Their locals hold secrets.
CORE_FOLDER = str(Path(keysmith.core.__file__).resolve().parent)
# Request META keys that hold the query string, alone or inside the raw request URI.
QUERY_META_KEYS = ("QUERY_STRING", "REQUEST_URI", "RAW_URI")
# Loggers that write request lines with their query string (development and common servers).
REQUEST_LOGGERS = ("django.server", "gunicorn.access", "uvicorn.access")


def redact_query(query: str, name: str) -> str:
    """``query`` with every value of parameter ``name`` replaced by stars."""
    if name not in unquote_plus(query):
        return query
    parts = query.split("&")
    for index, part in enumerate(parts):
        key = part.partition("=")[0]
        if unquote_plus(key) == name:
            parts[index] = f"{key}={SUBSTITUTE}"
    return "&".join(parts)


def redact_uri(uri: str, name: str) -> str:
    """A path with query string (or a whole URI) with parameter ``name`` redacted."""
    path, question, query = uri.partition("?")
    return f"{path}?{redact_query(query, name)}" if question else uri


def redact_query_token(request: Any, name: str) -> None:
    """Replace the token in ``request.GET`` and in every META copy of the query string."""
    meta = request.META
    for key in QUERY_META_KEYS:
        value = meta.get(key)
        if isinstance(value, str):
            meta[key] = (
                redact_query(value, name) if key == "QUERY_STRING" else redact_uri(value, name)
            )
    if name in request.GET:
        query = request.GET.copy()
        query.setlist(name, [SUBSTITUTE] * len(query.getlist(name)))
        query._mutable = False
        request.GET = query


def _query_param_name() -> str:
    name = raw_setting("QUERY_PARAM_NAME")
    return name if isinstance(name, str) and name else "keysmith_token"


def _in_core(frame: FrameType) -> bool:
    return str(Path(frame.f_code.co_filename).resolve()).startswith(CORE_FOLDER)


class KeysmithExceptionReporterFilter(SafeExceptionReporterFilter):
    """Also hides the token header (whatever ``HEADER_NAME`` is), the query parameter and the
    locals of keysmith's core frames.

    Set ``DEFAULT_EXCEPTION_REPORTER_FILTER`` to this class's path. It matters for errors raised
    before the keysmith middleware runs: the middleware redacts the request itself.
    """

    def get_traceback_frame_variables(self, request: Any, tb_frame: FrameType) -> Any:
        if request is not None:
            # Frames are rendered first, and a request's repr shows its query string.
            redact_query_token(request, _query_param_name())
        if self.is_active(request) and _in_core(tb_frame):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

    def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
        # Called before the report reads request.GET, so redacting here covers both.
        redact_query_token(request, _query_param_name())
        meta: dict[str, Any] = super().get_safe_request_meta(request)
        header = raw_setting("HEADER_NAME")
        if isinstance(header, str) and header in meta:
            meta[header] = SUBSTITUTE
        return meta


# One query parameter as a log line shows it: still percent-encoded, ending at the next
# parameter, whitespace or quote.
_LOGGED_PARAMETER = re.compile(r"([?&])([^=&\s\"'?#]*)=([^&\s\"'#]*)")


def redact_logged_query(line: str, name: str) -> str:
    """``line`` with the value of every query parameter whose name *decodes* to ``name``
    replaced: ``keysmith%5Ftoken`` and ``keysmith%5ftoken`` are read by Django's query parser
    as ``keysmith_token``, so they are redacted too."""
    if "=" not in line:
        return line

    def replace(match: re.Match[str]) -> str:
        separator, key, _ = match.groups()
        return f"{separator}{key}={SUBSTITUTE}" if unquote_plus(key) == name else match[0]

    return _LOGGED_PARAMETER.sub(replace, line)


class QueryTokenLogFilter(logging.Filter):
    """Redacts the token query parameter from request log lines (``"GET /x?keysmith_token=…"``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = _query_param_name()
        if isinstance(record.msg, str):
            record.msg = redact_logged_query(record.msg, name)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_logged_query(arg, name) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def install_log_filters() -> None:
    """Attach ``QueryTokenLogFilter`` to the request loggers (once)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryTokenLogFilter) for f in logger.filters):
            logger.addFilter(QueryTokenLogFilter())

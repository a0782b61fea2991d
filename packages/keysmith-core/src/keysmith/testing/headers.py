"""The request headers that carry a token, for any HTTP test client."""

from __future__ import annotations

from typing import Any

from keysmith.core.extract import DEFAULT_HEADER, TokenSource
from keysmith.testing.tokens import IssuedToken

__all__ = ["keysmith_headers", "raw_token"]


def raw_token(token: IssuedToken[Any] | str) -> str:
    """The raw token of an ``IssuedToken``, or the string given."""
    if isinstance(token, IssuedToken):
        return token.raw
    if isinstance(token, str):
        return token
    raise TypeError(f"Expected a raw token (str) or an IssuedToken, got {type(token).__name__}.")


def keysmith_headers(
    token: IssuedToken[Any] | str,
    *,
    header: str | None = None,
    bearer: bool = False,
    source: TokenSource | None = None,
) -> dict[str, str]:
    """``{header: token}`` (``X-Keysmith-Token`` unless ``header`` or ``source`` says otherwise),
    or ``{"Authorization": "Bearer <token>"}`` with ``bearer=True``."""
    raw = raw_token(token)
    if bearer:
        return {"Authorization": f"Bearer {raw}"}
    name = header or (source.header_name if source is not None else DEFAULT_HEADER)
    TokenSource(name)  # the same check the adapters make: a clear error for a bad name
    return {_display(name): raw}


def _display(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))

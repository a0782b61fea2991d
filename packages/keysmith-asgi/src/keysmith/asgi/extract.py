"""Reading the raw token from the handshake, by the core's rules (``keysmith.core.extract``):
one header, ``Authorization: Bearer`` or the query."""

from __future__ import annotations

from keysmith.asgi.types import Scope, header_values
from keysmith.core.extract import DEFAULT_HEADER, DEFAULT_QUERY_PARAM
from keysmith.core.extract import TokenSource as CoreTokenSource

__all__ = ["DEFAULT_HEADER", "DEFAULT_QUERY_PARAM", "TokenSource"]


class TokenSource(CoreTokenSource):
    """Where a token may come from. ``query_param=None`` keeps tokens out of URLs."""

    def extract(self, scope: Scope) -> str | None:
        """The raw token, None when none was sent, or ``InvalidToken`` for unusable input."""
        return self.read(lambda name: header_values(scope, name), scope.get("query_string", b""))

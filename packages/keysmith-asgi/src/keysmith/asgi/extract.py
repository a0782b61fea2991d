"""Reading the raw token from the handshake: one header, ``Authorization: Bearer`` or the query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from keysmith.asgi.types import Scope, header_values
from keysmith.core import MAX_TOKEN_LENGTH, InvalidToken
from keysmith.core.errors import ConfigurationError

DEFAULT_HEADER = "x-keysmith-token"
DEFAULT_QUERY_PARAM = "keysmith_token"
_BEARER = b"bearer"
# Percent-encoding can triple a value; anything longer cannot decode to a token the core accepts.
_MAX_ENCODED = 3 * MAX_TOKEN_LENGTH
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _reject(reason: str, message: str) -> InvalidToken:
    return InvalidToken(message, reason=reason)


@dataclass(frozen=True)
class TokenSource:
    """Where a token may come from. ``query_param=None`` keeps tokens out of URLs."""

    header_name: str = DEFAULT_HEADER
    allow_bearer: bool = False
    query_param: str | None = None

    def __post_init__(self) -> None:
        name = self.header_name
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ConfigurationError(f"header_name must be an HTTP header name, got {name!r}.")
        if name.lower() == "authorization":
            raise ConfigurationError("Use allow_bearer=True to read the Authorization header.")
        param = self.query_param
        if param is not None and (not isinstance(param, str) or not param):
            raise ConfigurationError(f"query_param must be a non-empty string or None: {param!r}.")

    def extract(self, scope: Scope) -> str | None:
        """The raw token, None when none was sent, or ``InvalidToken`` for unusable input.

        Ambiguous input (the header twice, two sources at once) is refused rather than guessed.
        """
        found = [*self._from_header(scope), *self._from_bearer(scope), *self._from_query(scope)]
        if not found:
            return None
        if len(found) > 1:
            raise _reject("ambiguous_credentials", "More than one token was sent.")
        return _decode(found[0])

    def _from_header(self, scope: Scope) -> list[bytes]:
        return header_values(scope, self.header_name.lower().encode("ascii"))

    def _from_bearer(self, scope: Scope) -> list[bytes]:
        if not self.allow_bearer:
            return []
        # Other schemes (Basic, Digest) belong to someone else and are left alone.
        found = []
        for value in header_values(scope, b"authorization"):
            scheme, _, credentials = value.strip().partition(b" ")
            if scheme.lower() == _BEARER:
                found.append(credentials)
        return found

    def _from_query(self, scope: Scope) -> list[bytes]:
        if self.query_param is None:
            return []
        wanted = self.query_param.encode("utf-8")
        values = []
        for field in scope.get("query_string", b"").split(b"&"):
            name, _, value = field.partition(b"=")
            if unquote_to_bytes(name.replace(b"+", b" ")) == wanted:
                if len(value) > _MAX_ENCODED:
                    raise _reject("oversized", "The token is too long.")
                values.append(unquote_to_bytes(value.replace(b"+", b" ")))
        return values


def _decode(value: bytes) -> str:
    value = value.strip(b" \t")
    # Checked on the bytes, before any decoding: attacker-sized input costs nothing more.
    if len(value) > MAX_TOKEN_LENGTH:
        raise _reject("oversized", "The token is too long.")
    if not value:
        raise _reject("empty", "The token is empty.")
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise _reject("non_ascii", "The token contains non-ASCII bytes.") from None

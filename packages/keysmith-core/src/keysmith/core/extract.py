"""Reading the raw token from a request, the same for every adapter: one header,
``Authorization: Bearer`` or the query string.

Adapters hand over the request's header values as bytes (ASGI's own, or a WSGI server's text
encoded back to Latin-1) and the raw query string; every rule is decided here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from keysmith.core.errors import ConfigurationError, InvalidToken
from keysmith.core.format import MAX_TOKEN_LENGTH

__all__ = ["DEFAULT_HEADER", "DEFAULT_QUERY_PARAM", "HeaderValues", "TokenSource"]

DEFAULT_HEADER = "x-keysmith-token"
DEFAULT_QUERY_PARAM = "keysmith_token"
AUTHORIZATION = b"authorization"
_BEARER = b"bearer"
# Percent-encoding can triple a value; anything longer cannot decode to a token the core accepts.
_MAX_ENCODED = 3 * MAX_TOKEN_LENGTH
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

HeaderValues = Callable[[bytes], Sequence[bytes]]
"""Every value of one header, given its lower-case name, in the order the request sent them."""


def _reject(reason: str, message: str) -> InvalidToken:
    return InvalidToken(message, reason=reason)


def _elements(values: Iterable[bytes]) -> list[bytes]:
    # RFC 9110 §5.3: lines of one header may be combined into one, separated by commas (WSGI
    # servers do), so "a, b" means two values. No token holds a comma.
    return [part for value in values for part in value.split(b",")]


@dataclass(frozen=True)
class TokenSource:
    """Where a token may come from. ``query_param=None`` keeps tokens out of URLs."""

    header_name: str = DEFAULT_HEADER
    allow_bearer: bool = False
    query_param: str | None = None
    header_key: bytes = field(init=False, repr=False, compare=False, default=b"")

    def __post_init__(self) -> None:
        name = self.header_name
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ConfigurationError(f"header_name must be an HTTP header name, got {name!r}.")
        if name.lower() == "authorization":
            raise ConfigurationError("Use allow_bearer=True to read the Authorization header.")
        param = self.query_param
        if param is not None and (not isinstance(param, str) or not param):
            raise ConfigurationError(f"query_param must be a non-empty string or None: {param!r}.")
        # The name as servers hand it over (lower-case bytes), computed once.
        object.__setattr__(self, "header_key", name.lower().encode("ascii"))

    def read(self, headers: HeaderValues, query_string: bytes = b"") -> str | None:
        """The raw token, None when none was sent, or ``InvalidToken`` for unusable input.

        Ambiguous input (the header twice, two sources at once) is refused rather than guessed.
        """
        found = _elements(headers(self.header_key))
        if self.allow_bearer:
            found += _from_bearer(headers(AUTHORIZATION))
        if self.query_param is not None and query_string:
            found += _from_query(query_string, self.query_param)
        if not found:
            return None
        if len(found) > 1:
            raise _reject("ambiguous_credentials", "More than one token was sent.")
        return _decode(found[0])


def _from_bearer(values: Sequence[bytes]) -> list[bytes]:
    # Other schemes (Basic, Digest) belong to someone else and are left alone.
    found = []
    for value in _elements(values):
        scheme, _, credentials = value.strip().partition(b" ")
        if scheme.lower() == _BEARER:
            found.append(credentials)
    return found


def _from_query(query_string: bytes, param: str) -> list[bytes]:
    wanted = param.encode("utf-8")
    values = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
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

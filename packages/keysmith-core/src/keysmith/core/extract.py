"""Reading the raw token from a request, the same for every adapter: one header,
``Authorization: Bearer`` or the query string.

Adapters hand over the request's header values as bytes (ASGI's own, or a WSGI server's text
encoded back to Latin-1, see ``wire_bytes``) and the raw query string; every rule is decided here.

``Authorization: Bearer`` is shared with other schemes (JWT, OAuth2 access tokens): keysmith
claims a Bearer value only when it parses as a keysmith token, and leaves any other value to
whoever else reads the header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from keysmith.core.errors import ConfigurationError, InvalidToken
from keysmith.core.format import MAX_TOKEN_LENGTH, well_formed

__all__ = [
    "AMBIGUOUS",
    "AUTHORIZATION",
    "DEFAULT_HEADER",
    "DEFAULT_QUERY_PARAM",
    "HeaderValues",
    "TokenSource",
    "wire_bytes",
]

DEFAULT_HEADER = "x-keysmith-token"
DEFAULT_QUERY_PARAM = "keysmith_token"
AUTHORIZATION = b"authorization"
_BEARER = b"bearer"
# The reason of the refusal of a request that sent more than one token.
AMBIGUOUS = "ambiguous_credentials"
# Percent-encoding can triple a value; anything longer cannot decode to a token the core accepts.
_MAX_ENCODED = 3 * MAX_TOKEN_LENGTH
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

HeaderValues = Callable[[bytes], Sequence[bytes]]
"""Every value of one header, given its lower-case name, in the order the request sent them."""


def _reject(reason: str, message: str) -> InvalidToken:
    return InvalidToken(message, reason=reason)


def wire_bytes(value: str) -> bytes:
    """A header value a WSGI server (or Django) handed over as text, as the bytes sent."""
    # PEP 3333 servers decode header bytes as Latin-1: encoding back gives the bytes sent. Text
    # that is not Latin-1 came from elsewhere (a test client); its UTF-8 bytes are not ASCII
    # either, so the rules below refuse it the same way.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _elements(values: Iterable[bytes]) -> list[bytes]:
    # RFC 9110 §5.3: lines of one header may be combined into one, separated by commas (WSGI
    # servers do), so "a, b" means two values. No token holds a comma.
    return [part for value in values for part in value.split(b",")]


@dataclass(frozen=True)
class TokenSource:
    """Where a token may come from. ``query_param=None`` keeps tokens out of URLs."""

    header_name: str = DEFAULT_HEADER
    allow_bearer: bool = True
    query_param: str | None = None
    header_key: bytes = field(init=False, repr=False, compare=False, default=b"")

    def __post_init__(self) -> None:
        name = self.header_name
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ConfigurationError(f"header_name must be an HTTP header name, got {name!r}.")
        if not isinstance(self.allow_bearer, bool):
            raise ConfigurationError(f"allow_bearer must be True or False: {self.allow_bearer!r}.")
        param = self.query_param
        if param is not None and (not isinstance(param, str) or not param):
            raise ConfigurationError(f"query_param must be a non-empty string or None: {param!r}.")
        # The name as servers hand it over (lower-case bytes), computed once.
        object.__setattr__(self, "header_key", name.lower().encode("ascii"))

    def read(self, headers: HeaderValues, query_string: bytes = b"") -> str | None:
        """The raw token, None when none was sent, or ``InvalidToken`` for unusable input.

        Ambiguous input (the header twice, two sources at once) is refused rather than guessed;
        the same token in the header and in ``Authorization: Bearer`` counts once.
        """
        found = self._header_and_bearer(headers)
        if self.query_param is not None and query_string:
            found += _from_query(query_string, self.query_param)
        if not found:
            return None
        if len(found) > 1:
            raise _reject(AMBIGUOUS, "More than one token was sent.")
        return _decode(found[0])

    def _header_and_bearer(self, headers: HeaderValues) -> list[bytes]:
        configured = _elements(headers(self.header_key))
        if not self.allow_bearer:
            return configured
        if self.header_key == AUTHORIZATION:
            # The configured header is Authorization itself (as django-keysmith allowed): a
            # value without a scheme is the token, Bearer values follow the Bearer rule.
            bearer = [value for value in configured if _is_bearer(value)]
            configured = [value for value in configured if not _is_bearer(value)]
        else:
            bearer = _elements(headers(AUTHORIZATION))
        claimed = _claimed(bearer)
        if claimed and [value.strip(b" \t") for value in configured] == claimed:
            return configured  # the same token in both places: one token
        return configured + claimed


def _credentials(value: bytes) -> tuple[bytes, bytes]:
    scheme, _, credentials = value.strip().partition(b" ")
    return scheme.lower(), credentials.strip(b" \t")


def _is_bearer(value: bytes) -> bool:
    return _credentials(value)[0] == _BEARER


def _claimed(values: Sequence[bytes]) -> list[bytes]:
    """The Bearer credentials that are keysmith tokens. Other schemes (Basic, Digest) and
    Bearer values of other kinds (a JWT, an OAuth2 access token, garbage) belong to someone
    else: they are left alone, never refused."""
    found = []
    for value in values:
        scheme, credentials = _credentials(value)
        if scheme == _BEARER and _is_keysmith_token(credentials):
            found.append(credentials)
    return found


def _is_keysmith_token(credentials: bytes) -> bool:
    # Length first, so an attacker-sized value costs nothing more; then the core's own parser
    # (shape and checksum), so only what keysmith issued is claimed.
    if len(credentials) > MAX_TOKEN_LENGTH or not credentials.isascii():
        return False
    return well_formed(credentials.decode("ascii"))


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

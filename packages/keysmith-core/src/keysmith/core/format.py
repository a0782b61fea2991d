"""Generating and parsing public tokens: ``<namespace>_<identifier>:<secret><checksum>``."""

from __future__ import annotations

import hmac
import re
import secrets
import string
from dataclasses import dataclass

from keysmith.core.checksum import CHECKSUM_LENGTH, checksum
from keysmith.core.errors import ConfigurationError, InvalidToken

ALPHABET = string.ascii_letters + string.digits
IDENTIFIER_LENGTH = 8
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 256
MAX_NAMESPACE_LENGTH = 32
# Fixed, independent of the current configuration, so tokens issued under an earlier one keep
# parsing; and checked first, so attacker-sized input is refused before any other work.
MAX_TOKEN_LENGTH = 512
# The shortest shape: "n_" + identifier + ":" + one secret character + checksum.
MIN_TOKEN_LENGTH = 2 + IDENTIFIER_LENGTH + 2 + CHECKSUM_LENGTH

_NAMESPACE = re.compile(rf"[A-Za-z0-9_]{{1,{MAX_NAMESPACE_LENGTH}}}", re.ASCII)
_TOKEN_CHARS = frozenset(chr(code) for code in range(0x21, 0x7F))
_ALNUM = frozenset(ALPHABET)
_DIGITS = frozenset(string.digits)
# New namespaces are strict (see validate_namespace), but django-keysmith accepted any
# TOKEN_PREFIX, so parsing takes any printable ASCII but ':' in the namespace.
_LEGACY_NAMESPACE = "!-9;-~"
_SHAPE = re.compile(rf"([{_LEGACY_NAMESPACE}]+_[A-Za-z0-9]+):([A-Za-z0-9]+)([0-9]{{6}})")


class RawToken:
    """A raw token as a request carried it, whose text no ``repr`` or ``str`` shows.

    Adapters hold the token in this box from the moment they read it, so the frames an error
    report or an error tracker records (locals included) show ``RawToken(<hidden>)``, never the
    secret; ``reveal()`` is called only where the text is needed (the parser, a rate-limit hook).
    """

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    @classmethod
    def wrap(cls, text: str | None) -> RawToken | None:
        return None if text is None else cls(text)

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return "RawToken(<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class ParsedToken:
    """A raw token that passed every structural check; ``prefix`` is public, ``secret`` is not."""

    prefix: str
    secret: str

    def __repr__(self) -> str:
        return f"ParsedToken(prefix={self.prefix!r}, secret=<hidden>)"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The parts of a freshly generated token."""

    prefix: str
    secret: str
    raw: str

    def __repr__(self) -> str:
        return f"IssuedToken(prefix={self.prefix!r}, secret=<hidden>, raw=<hidden>)"


def validate_namespace(namespace: object) -> str:
    """Return ``namespace`` if it is 1-32 ASCII letters, digits or underscores."""
    if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
        raise ConfigurationError(
            f"Token namespace must be 1-{MAX_NAMESPACE_LENGTH} ASCII letters, digits or '_', "
            f"got {namespace!r}."
        )
    return namespace


def validate_secret_length(length: object) -> int:
    """Return ``length`` if it is an int within the supported range."""
    if isinstance(length, bool) or not isinstance(length, int):
        raise ConfigurationError(f"Token secret length must be an integer, got {length!r}.")
    if not MIN_SECRET_LENGTH <= length <= MAX_SECRET_LENGTH:
        raise ConfigurationError(
            f"Token secret length must be between {MIN_SECRET_LENGTH} and {MAX_SECRET_LENGTH}, "
            f"got {length}."
        )
    return length


def _random_string(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


CHECKSUM_MISMATCH = "checksum does not match"


def _reject(rule: str) -> InvalidToken:
    return InvalidToken(f"Malformed token: {rule}.", reason="malformed")


@dataclass(frozen=True, slots=True)
class TokenFormat:
    """How new tokens look. Parsing accepts any namespace and secret length that fits the shape."""

    namespace: str = "tok"
    secret_length: int = 32

    def __post_init__(self) -> None:
        validate_namespace(self.namespace)
        validate_secret_length(self.secret_length)

    def generate(self) -> IssuedToken:
        """A new token with a fresh identifier and secret."""
        return self.reissue(f"{self.namespace}_{_random_string(IDENTIFIER_LENGTH)}")

    def reissue(self, prefix: str) -> IssuedToken:
        """A fresh secret for an existing prefix (rotation keeps the token's identity)."""
        secret = _random_string(self.secret_length)
        body = f"{prefix}:{secret}"
        return IssuedToken(prefix=prefix, secret=secret, raw=body + checksum(body))

    @staticmethod
    def parse(raw: object) -> ParsedToken:
        """Split a raw token into prefix and secret, or raise ``InvalidToken`` naming the rule.

        Messages never contain the input: it may be a real secret pasted in the wrong place.
        ``raw`` may be a ``RawToken``.
        """
        if type(raw) is RawToken:
            raw = raw.reveal()
        # One C-level match on the hot path; the rule-by-rule diagnosis runs only on failure.
        split = _split(raw)
        if split is not None:
            prefix, secret, valid = split
            if valid:
                return ParsedToken(prefix=prefix, secret=secret)
            raise _reject(CHECKSUM_MISMATCH)  # the shape matched: only this rule is left
        raise _reject(broken_rule(raw) or "unrecognised shape")


def well_formed(raw: str) -> bool:
    """Whether ``parse`` accepts ``raw``, without building the reason it would refuse it: for
    telling keysmith tokens from other credentials (a JWT in ``Authorization: Bearer``)."""
    split = _split(raw)
    return split is not None and split[2]


def _split(raw: object) -> tuple[str, str, bool] | None:
    """Prefix, secret and whether the checksum matches, when ``raw`` has the token's shape."""
    if isinstance(raw, str) and MIN_TOKEN_LENGTH <= len(raw) <= MAX_TOKEN_LENGTH:
        match = _SHAPE.fullmatch(raw)
        if match is not None:
            prefix, secret, check = match.groups()
            return prefix, secret, hmac.compare_digest(checksum(f"{prefix}:{secret}"), check)
    return None


def broken_rule(raw: object) -> str | None:  # noqa: PLR0912 (one return per documented rule)
    """The first parsing rule ``raw`` breaks, or None when it is a well-formed token."""
    if not isinstance(raw, str):
        return "not a string"
    if len(raw) > MAX_TOKEN_LENGTH:
        return f"longer than {MAX_TOKEN_LENGTH} characters"
    if not raw:
        return "empty"
    if not _TOKEN_CHARS.issuperset(raw):
        return "characters that are not printable ASCII"
    if len(raw) < MIN_TOKEN_LENGTH:
        return "too short"
    body, check = raw[:-CHECKSUM_LENGTH], raw[-CHECKSUM_LENGTH:]
    if not _DIGITS.issuperset(check):
        return "checksum is not six digits"
    prefix, colon, secret = body.partition(":")
    if not colon:
        return "no ':' between prefix and secret"
    namespace, underscore, identifier = prefix.rpartition("_")
    if not underscore:
        return "no '_' between namespace and identifier"
    if not namespace or not identifier or not _ALNUM.issuperset(identifier):
        return "prefix is not '<namespace>_<identifier>'"
    if not secret:
        return "empty secret"
    if ":" in secret:
        return "more than one ':'"
    if not _ALNUM.issuperset(secret):
        return "secret has characters outside A-Z, a-z and 0-9"
    if not hmac.compare_digest(checksum(body), check):
        return CHECKSUM_MISMATCH
    return None


parse = TokenFormat.parse


PASTED_TOKEN = (
    "expected a token prefix such as tok_AbCd1234, not a whole token (the part before ':')"
)


def prefix_argument(text: str) -> str:
    """``text`` as a prefix typed by an operator; ``ValueError`` without echoing it when it is a
    pasted raw token (it would carry the secret into the terminal, logs and shell history)."""
    if ":" in text:
        raise ValueError(PASTED_TOKEN)
    return text

"""The schemes measured and the credentials each is sent in each case, seeded into the database.

Every scheme is sent the same six kinds of request. Where a peer has no such notion the closest
one is used, and ``notes`` says which (DRF's and knox's tokens cannot be revoked: a token whose
user is inactive stands in; DRF's key has no public part, so a wrong secret is an unknown key).
``forged`` is a wrong secret on the public part of a token no request has used yet: where a
scheme remembers verified secrets (keysmith with a slow hash), this is what an attacker who read
a prefix in a log can send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks import tokens

CASES = ("valid", "malformed", "wrong_secret", "forged", "unknown_prefix", "revoked")
KEYSMITH_HEADER = "HTTP_X_KEYSMITH_TOKEN"
REFUSAL = "refusal"
REFUSAL_PARSE = "refusal_parse"
# Floors that answer 401 to every case, the valid one included.
REFUSING = frozenset({REFUSAL, REFUSAL_PARSE})


@dataclass
class Scheme:
    key: str
    label: str
    path: str
    credentials: dict[str, dict[str, str]]
    variant: str | None = None
    handler: str = "api"
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _authorization(keyword: str, values: dict[str, str]) -> dict[str, dict[str, str]]:
    return {case: {"HTTP_AUTHORIZATION": f"{keyword} {value}"} for case, value in values.items()}


def _hex(length: int) -> str:
    return tokens.random_text(length, "0123456789abcdef")


def drf_token(user: Any, inactive: Any, malformed: str) -> Scheme:
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=user).key
    values = {
        "valid": key,
        "malformed": malformed,
        "wrong_secret": _hex(40),
        "forged": _hex(40),
        "unknown_prefix": _hex(40),
        "revoked": Token.objects.create(user=inactive).key,
    }
    notes = "plaintext key, one indexed read; wrong secret = unknown key; revoked = inactive user"
    return Scheme(
        "drf_token",
        "DRF TokenAuthentication",
        "/drf-token/",
        _authorization("Token", values),
        notes=notes,
    )


def floor(drf: Scheme) -> Scheme:
    # The same headers as DRF's token view, ignored: the framework's own cost.
    return Scheme("floor", "no authentication", "/floor/", drf.credentials, notes="framework floor")


def refusal(drf: Scheme) -> Scheme:
    notes = "an authentication class that raises AuthenticationFailed at once: DRF's cost of a 401"
    return Scheme(
        REFUSAL, "refusal floor (401, no work)", "/refusal/", drf.credentials, notes=notes
    )


def refusal_parse(keysmith: Scheme) -> Scheme:
    notes = (
        "parses the keysmith header (regex + checksum) and raises AuthenticationFailed when it "
        "does not parse, else leaves the request to IsAuthenticated (no lookup): 401 in every "
        "case; its malformed case is the least a DRF refusal of a malformed keysmith token costs"
    )
    return Scheme(
        REFUSAL_PARSE,
        "refusal floor + parse (401, no lookup)",
        "/refusal-parse/",
        keysmith.credentials,
        notes=notes,
    )


def knox(user: Any, inactive: Any, malformed: str) -> Scheme:
    from knox.models import AuthToken

    _, raw = AuthToken.objects.create(user=user)
    values = {
        "valid": raw,
        "malformed": malformed,
        "wrong_secret": raw[:15] + _hex(len(raw) - 15),
        "forged": raw[:15] + _hex(len(raw) - 15),
        "unknown_prefix": _hex(len(raw)),
        "revoked": AuthToken.objects.create(user=inactive)[1],
    }
    notes = "SHA-512 digest, token_key lookup; revoked = inactive user (knox deletes tokens)"
    return Scheme(
        "knox", "django-rest-knox", "/knox/", _authorization("Token", values), notes=notes
    )


def api_key(malformed: str) -> Scheme:
    from rest_framework_api_key.models import APIKey

    _, raw = APIKey.objects.create_key(name="bench")
    prefix = raw.partition(".")[0]
    values = {
        "valid": raw,
        "malformed": malformed,
        "wrong_secret": f"{prefix}.{tokens.random_text(32)}",
        "forged": f"{prefix}.{tokens.random_text(32)}",
        "unknown_prefix": f"{tokens.random_text(8)}.{tokens.random_text(32)}",
        "revoked": APIKey.objects.create_key(name="bench-revoked", revoked=True)[1],
    }
    notes = "permission class HasAPIKey, SHA-512 hash"
    return Scheme(
        "api_key",
        "djangorestframework-api-key",
        "/api-key/",
        _authorization("Api-Key", values),
        notes=notes,
    )


def keysmith_credentials(user: Any, malformed: str) -> dict[str, dict[str, str]]:
    """Tokens issued through the documented services of whichever keysmith is installed."""
    from keysmith.auth.base import authenticate_token
    from keysmith.services.tokens import create_token, revoke_token

    _, raw = create_token(name="bench", user=user)
    # "In use": the wrong-secret case meets a token that authenticated before.
    authenticate_token(raw)
    revoked, revoked_raw = create_token(name="bench-revoked", user=user)
    revoke_token(revoked)
    _, unused_raw = create_token(name="bench-unused", user=user)  # never sent with its secret
    values = {
        "valid": raw,
        "malformed": malformed,
        "wrong_secret": tokens.wrong_secret(raw),
        "forged": tokens.wrong_secret(unused_raw),
        "unknown_prefix": tokens.unknown_prefix(raw),
        "revoked": revoked_raw,
    }
    return {case: {KEYSMITH_HEADER: value} for case, value in values.items()}


@dataclass(frozen=True)
class KeysmithSpec:
    key: str
    label: str
    variant: str
    path: str = "/keysmith/"
    handler: str = "api"
    notes: str = ""


CURRENT_KEYSMITH = (
    KeysmithSpec(
        "ks_default", "keysmith (SHA-256, audit on)", "defaults", notes="defaults, DRF class"
    ),
    KeysmithSpec(
        "ks_audit_off", "keysmith, audit off", "audit_off", notes="ENABLE_AUDIT_LOGGING False"
    ),
    KeysmithSpec(
        "ks_hmac", "keysmith, HMAC hasher", "hmac", notes="HMACSHA256TokenHasher, audit on"
    ),
    KeysmithSpec(
        "ks_pbkdf2",
        "keysmith, django-keysmith's PBKDF2 settings",
        "pbkdf2",
        notes=(
            "HASH_BACKEND PBKDF2SHA512TokenHasher, HASH_ITERATIONS 100 000, the failure budget "
            "on (10 failed slow checks per client a minute; every request here comes from one "
            "address, so the forged case's median is the refusal past the budget)"
        ),
    ),
    KeysmithSpec(
        "ks_pbkdf2_unbounded",
        "keysmith, PBKDF2, no failure budget",
        "pbkdf2_unbounded",
        notes="as ks_pbkdf2 with FAILURE_BUDGET None: what each forged secret would cost",
    ),
    KeysmithSpec(
        "ks_django",
        "keysmith, Django middleware",
        "defaults",
        path="/keysmith-django/",
        handler="keysmith-middleware",
        notes=(
            "KeysmithAuthenticationMiddleware + @keysmith_required on a plain Django view "
            "(no DRF: its ratios to the DRF views flatter it)"
        ),
    ),
)
LEGACY_KEYSMITH = KeysmithSpec(
    "legacy", "django-keysmith 0.1.2 (defaults)", "defaults", notes="PyPI release, own venv"
)


def seed(stack: str, views: set[str], activate: Callable[[str], None]) -> list[Scheme]:
    """Create the users and tokens; the schemes this environment can run, floor first."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    user = users.create_user("bench", password=None)
    inactive = users.create_user("bench-inactive", password=None, is_active=False)
    malformed = tokens.broken_checksum(
        tokens.keysmith_token(f"tok_{tokens.random_text(8)}", tokens.random_text(32))
    )
    drf = drf_token(user, inactive, malformed)
    schemes = [floor(drf), drf]
    if stack == "current":
        schemes += [refusal(drf), api_key(malformed), knox(user, inactive, malformed)]
    specs: tuple[KeysmithSpec, ...] = CURRENT_KEYSMITH if stack == "current" else (LEGACY_KEYSMITH,)
    for spec in specs:
        if spec.path.strip("/") not in views:
            continue
        activate(spec.variant)
        credentials = keysmith_credentials(user, malformed)
        schemes.append(
            Scheme(
                spec.key, spec.label, spec.path, credentials, spec.variant, spec.handler, spec.notes
            )
        )
    # Sent the keysmith schemes' own tokens; ks_default exists in the workspace stack only.
    keysmith = next((s for s in schemes if s.key == "ks_default"), None)
    if keysmith is not None and "refusal-parse" in views:
        schemes.append(refusal_parse(keysmith))
    return schemes

"""A walkthrough of the keysmith core: create, authenticate, rotate, revoke, audit."""

from __future__ import annotations

from keysmith.core import (
    InvalidToken,
    MemoryAuditSink,
    MemoryTokenStore,
    RequestContext,
    RevokedToken,
    TokenService,
)


def step(title: str) -> None:
    print(f"\n== {title}")


def main() -> None:
    audit = MemoryAuditSink()
    service = TokenService(MemoryTokenStore(), sink=audit)
    request = RequestContext(path="/api/reports", method="GET", ip_address="127.0.0.1")

    step("Create a token (the raw token is shown once; only its hash is stored)")
    token, raw = service.create(name="reporting-job", scopes=["reports:read"])
    print(f"prefix:     {token.prefix}")
    print(f"raw token:  {raw}")
    print(f"stored key: {token.key[:40]}...")

    step("Authenticate it")
    print(f"authenticated: {service.authenticate(raw, context=request).prefix}")
    service.require_scopes(token, ["reports:read"])
    print("scope 'reports:read': granted")

    step("Rotate it: same identity, new secret")
    new_raw = service.rotate(token, actor="ops@example.com")
    print(f"new raw token: {new_raw}")
    try:
        service.authenticate(raw, context=request)
    except InvalidToken as error:
        print(f"old token refused: {type(error).__name__}: {error}")
    print(f"new token accepted: {service.authenticate(new_raw, context=request).prefix}")

    step("Revoke it")
    service.revoke(token, actor="ops@example.com")
    try:
        service.authenticate(new_raw, context=request)
    except RevokedToken as error:
        print(f"revoked token refused: {type(error).__name__}: {error}")

    step("Audit trail")
    for event in audit.events:
        extra = dict(event.extra)
        print(f"{event.occurred_at:%H:%M:%S}  {event.action:<13} {event.token_prefix}  {extra}")


if __name__ == "__main__":
    main()

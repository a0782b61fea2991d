"""The token admin's forms: the fields the add and change pages show, and which are editable."""

from __future__ import annotations

GRANT_RULE = "Only permissions that you hold, and that the owner (if any) holds, can be granted."
ADD_FIELDSETS = (
    (None, {"fields": ("name", "description")}),
    ("Owner", {"fields": ("token_type", "user")}),
    (
        "Access",
        {
            "fields": ("scopes", "expires_at"),
            "description": f"{GRANT_RULE} Leave the expiry empty for the default lifetime "
            "(DEFAULT_EXPIRY_DAYS). The raw token is shown once, right after saving.",
        },
    ),
)
CHANGE_FIELDSETS = (
    (None, {"fields": ("name", "description")}),
    ("Identity", {"fields": ("prefix", "state", "token_type", "user", "created_by")}),
    ("Lifetime", {"fields": ("created_at", "expires_at", "last_used_at", "revoked", "purged")}),
    (
        "Scopes",
        {
            "fields": ("scopes",),
            "description": GRANT_RULE,
        },
    ),
)
# Everything else on the change form is read-only: state changes only through the operations,
# and the owner, type and prefix are the token's identity.
EDITABLE_ON_CHANGE = frozenset({"name", "description", "expires_at", "scopes"})

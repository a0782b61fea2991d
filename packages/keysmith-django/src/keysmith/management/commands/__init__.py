"""``prune_audit_logs`` and the token commands: ``create_token``, ``list_tokens``,
``rotate_token``, ``revoke_token``."""

"""The keysmith models: ``Token`` and ``TokenAuditLog``, and the abstract bases to extend."""

from __future__ import annotations

from keysmith.models.audit import TokenAuditLog
from keysmith.models.base import AbstractToken, AbstractTokenAuditLog
from keysmith.models.token import Token

__all__ = ["AbstractToken", "AbstractTokenAuditLog", "Token", "TokenAuditLog"]

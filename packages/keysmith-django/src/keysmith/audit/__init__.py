"""Audit logging for Django (``keysmith.audit.logger``)."""

"""Token authentication for Django (``keysmith.auth.base``, ``keysmith.auth.exceptions``)."""

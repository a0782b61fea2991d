"""Token lifecycle services for Django (``keysmith.services.tokens``)."""

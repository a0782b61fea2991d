"""keysmith for Django REST framework: ``keysmith.drf.auth``, ``.permissions``, ``.throttling``."""

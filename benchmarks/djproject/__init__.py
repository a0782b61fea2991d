"""The one Django project every Django-side scheme is measured in."""

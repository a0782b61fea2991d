"""django-keysmith 0.1.2's ``keysmith.utils`` package, kept for compatibility."""

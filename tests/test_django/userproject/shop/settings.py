"""Settings of a small project that uses keysmith with its defaults (buffered audit rows on).

``SHOP_DB`` picks ``sqlite`` or ``postgres``; PostgreSQL is reached through ``SHOP_PG_*``.
"""

from __future__ import annotations

import os

SECRET_KEY = "shop-not-a-secret"
DEBUG = False
ALLOWED_HOSTS: list[str] = []
USE_TZ = True
ROOT_URLCONF = "shop.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "keysmith",
    "shop",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keysmith.django.middleware.KeysmithAuthenticationMiddleware",
]

if os.environ.get("SHOP_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "shop",
            "HOST": os.environ["SHOP_PG_HOST"],
            "PORT": os.environ["SHOP_PG_PORT"],
            "USER": os.environ["SHOP_PG_USER"],
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(os.environ.get("SHOP_DIR", "."), "shop.sqlite3"),
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["keysmith.drf.auth.KeysmithAuthentication"],
}

"""Settings of the benchmark project, chosen by environment variables.

``BENCH_STACK``: ``current`` (the workspace's keysmith beside DRF's token, knox and
djangorestframework-api-key) or ``legacy`` (django-keysmith 0.1.2 from PyPI, in its own
virtualenv, beside the same floor and DRF token views). ``BENCH_DB``: ``sqlite`` (a file,
``BENCH_SQLITE_PATH``) or ``postgres`` (``BENCH_PG_HOST``/``PORT``/``USER``/``NAME``).
"""

from __future__ import annotations

import os

STACK = os.environ.get("BENCH_STACK", "current")
DB = os.environ.get("BENCH_DB", "sqlite")

SECRET_KEY = "benchmark-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
USE_TZ = True
ROOT_URLCONF = "benchmarks.djproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "keysmith",
]
if STACK == "current":
    INSTALLED_APPS += ["knox", "rest_framework_api_key"]

# A lean API stack, the same for every scheme: the floor stays a floor, and a scheme's cost
# is not hidden behind middleware it does not need.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
}

# Every keysmith variant of the current stack starts from this; see keysmith_variants.py.
KEYSMITH: dict[str, object] = {}

if DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ["BENCH_PG_HOST"],
            "PORT": os.environ["BENCH_PG_PORT"],
            "USER": os.environ["BENCH_PG_USER"],
            "NAME": os.environ["BENCH_PG_NAME"],
            # Persistent connections, as a production deployment has them.
            "CONN_MAX_AGE": None,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCH_SQLITE_PATH", "bench.sqlite3"),
            "CONN_MAX_AGE": None,
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}

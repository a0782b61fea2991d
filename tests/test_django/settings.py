"""Django settings for the keysmith test suite; KEYSMITH_TEST_DB picks sqlite or postgres."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from typing import Any

import django

DB = os.environ.get("KEYSMITH_TEST_DB", "sqlite")

SECRET_KEY = "keysmith-tests-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "test_django.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "keysmith",
    "test_django.testapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "keysmith.django.middleware.KeysmithAuthenticationMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "/static/"

if DB == "postgres":
    # HOST, PORT and USER come from the test run's own server (see conftest.py).
    DATABASES: dict[str, dict[str, Any]] = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "keysmith_test",
            "HOST": "",
            "PORT": "",
            "USER": "",
        }
    }
elif DB == "sqlite":
    # A file, not the in-memory default, so threads of one test share committed rows.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.gettempdir(), "keysmith-tests.sqlite3"),
            "TEST": {
                "NAME": os.path.join(tempfile.gettempdir(), f"keysmith-test-{os.getpid()}.sqlite3")
            },
        }
    }
else:
    raise RuntimeError(f"KEYSMITH_TEST_DB must be 'sqlite' or 'postgres', got {DB!r}")

# Fewer PBKDF2 rounds than the default keep the suite fast; stored hashes of other counts verify.
KEYSMITH = {"HASH_ITERATIONS": 10_000}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if django.VERSION >= (6, 1):
    # Django 6.1 deprecates the implicit default mailer (error reports are mailed in tests).
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# The DRF tests (tests/test_drf) share this project where Django REST framework is installed.
# DRF reads its default classes when rest_framework.views is imported, so they are set here.
if importlib.util.find_spec("rest_framework") is not None:
    INSTALLED_APPS.append("rest_framework")
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "keysmith.drf.auth.KeysmithAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
    # simplejwt (the Bearer coexistence tests) signs with this; SECRET_KEY is too short for HS256.
    SIMPLE_JWT = {"SIGNING_KEY": "keysmith-tests-jwt-signing-key-" + "0123456789" * 4}

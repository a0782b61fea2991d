"""The Django app config of keysmith: label ``keysmith``, its folder given explicitly."""

from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig

from keysmith.django import checks, redaction


class KeysmithConfig(AppConfig):
    name = "keysmith"
    label = "keysmith"
    verbose_name = "Keysmith"
    default_auto_field = "django.db.models.BigAutoField"
    # `keysmith` is a namespace package shared by several distributions, so its __path__ can
    # hold several folders; Django refuses such an app unless the path is set explicitly.
    path = str(Path(__file__).resolve().parent)

    def ready(self) -> None:
        checks.register()
        redaction.install_log_filters()
        # The models load with the app registry: as Django asks, imported once apps are ready.
        from keysmith.django.runtime import get_service  # noqa: PLC0415
        from keysmith.models.base import Wiring  # noqa: PLC0415

        Wiring.mark_used = lambda token: get_service().mark_used(token)

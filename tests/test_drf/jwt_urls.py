"""An API authenticated by keysmith and by simplejwt, both reading ``Authorization: Bearer``:
the view is the one docs/drf.md prints."""

from __future__ import annotations

from typing import Any

from django.urls import path
from support.docs_samples import docs_sample

sample: dict[str, Any] = {"__name__": "drf_simplejwt_sample"}
exec(compile(docs_sample("drf.md", "simplejwt"), "docs/drf.md", "exec"), sample)

urlpatterns = [path("whoami/", sample["WhoAmIView"].as_view())]

"""The quick start's endpoint, run from docs/django/quickstart.md as the page prints it."""

from __future__ import annotations

from support.docs_samples import run_sample

HealthView = run_sample("django/quickstart.md", "drf-view", {"__name__": __name__})["HealthView"]

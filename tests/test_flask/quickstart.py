"""docs/flask.md's quick start, run from the page as it prints it: ``create_app`` and the
``keysmith`` extension it sets up."""

from __future__ import annotations

from support.docs_samples import run_sample

_namespace = run_sample("flask.md", "quick-start", {"__name__": __name__})
create_app = _namespace["create_app"]
keysmith = _namespace["keysmith"]

"""Suite-wide wiring: makes tests/support importable and registers its fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

# --import-mode=importlib puts no test folder on sys.path; the shared helpers are imported as
# `support.<module>` (and the store contract as `contract.<module>`). Appended, not prepended,
# so a test folder can never shadow an installed package such as `django`.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.append(_TESTS_DIR)

from support.pgserver import postgres_server  # noqa: E402

__all__ = ["postgres_server"]

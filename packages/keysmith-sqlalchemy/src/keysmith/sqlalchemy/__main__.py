"""``python -m keysmith.sqlalchemy``: the ``keysmith`` command-line tool."""

from __future__ import annotations

from keysmith.sqlalchemy.cli import main

raise SystemExit(main())

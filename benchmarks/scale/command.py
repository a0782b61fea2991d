"""Run one command as an operator would, then append its peak memory (KiB) to a file:
``python -m benchmarks.scale.command RSS_FILE django|keysmith ARGS...``."""

from __future__ import annotations

import sys
from pathlib import Path


def peak_kib() -> int:
    """This process's peak resident memory. Not ``ru_maxrss``: across fork and exec it keeps
    the parent's peak (the benchmark's own, larger)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    rss_file, tool, *argv = sys.argv[1:]
    status = 0
    try:
        if tool == "django":
            from django.core.management import execute_from_command_line

            execute_from_command_line(["manage.py", *argv])
        else:
            from keysmith.sqlalchemy.cli import main as keysmith

            status = keysmith(argv)
    finally:
        Path(rss_file).write_text(str(peak_kib()), encoding="utf-8")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

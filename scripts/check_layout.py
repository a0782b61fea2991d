"""Checks built wheels keep `keysmith` a clean PEP 420 namespace shared by all distributions.

Usage: python scripts/check_layout.py WHEEL_OR_DIR [...]

Rules (each one breaks editable installs while wheel installs keep working):
- no wheel ships `keysmith/__init__.py`, which would turn the namespace into a regular package;
- no two wheels ship files under the same `keysmith/<subpackage>/` folder, the same top-level
  module `keysmith/<name>.py`, or the same file;
- every wheel ships something under `keysmith/`.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

NAMESPACE = "keysmith"
# Files can also sit under `<name>.data/purelib/` or `.../platlib/` inside a wheel.
_DATA_PREFIX = re.compile(r"^[^/]+\.data/(?:purelib|platlib)/")
_MODULE_SUFFIXES = {"py", "pyi", "pyc", "pyd", "so"}


def distribution_name(wheel: Path) -> str:
    return wheel.name.split("-", 1)[0]


def namespace_files(wheel: Path) -> list[PurePosixPath]:
    """The files a wheel installs under the namespace, as install-relative paths."""
    with zipfile.ZipFile(wheel) as archive:
        names = [_DATA_PREFIX.sub("", name) for name in archive.namelist()]
    return [
        PurePosixPath(name)
        for name in names
        if not name.endswith("/") and PurePosixPath(name).parts[0] == NAMESPACE
    ]


def import_name(path: PurePosixPath) -> str | None:
    """`keysmith.<name>` that a namespace file belongs to; None for data files at the top."""
    if len(path.parts) > 2:
        return path.parts[1]
    module, _, suffix = path.name.partition(".")
    return module if suffix in _MODULE_SUFFIXES or suffix.endswith(".so") else None


def check(wheels: Sequence[Path]) -> tuple[list[str], dict[str, set[str]]]:
    """Return the rule violations and, for the report, which distributions own each name."""
    errors: list[str] = []
    owners: dict[str, set[str]] = defaultdict(set)
    file_owners: dict[PurePosixPath, set[str]] = defaultdict(set)

    for wheel in wheels:
        dist = distribution_name(wheel)
        files = namespace_files(wheel)
        if not files:
            errors.append(f"{wheel.name}: ships nothing under {NAMESPACE}/")
        for path in files:
            file_owners[path].add(dist)
            name = import_name(path)
            if name == "__init__":
                errors.append(f"{wheel.name}: ships {path}; {NAMESPACE} must stay a namespace")
            elif name is not None:
                owners[name].add(dist)

    for name, dists in sorted(owners.items()):
        if len(dists) > 1:
            errors.append(
                f"{NAMESPACE}.{name} is split across {', '.join(sorted(dists))}; "
                "each subpackage or module must come from one distribution"
            )
    for path, dists in sorted(file_owners.items()):
        if len(dists) > 1 and import_name(path) is None:
            errors.append(f"{path} is shipped by {', '.join(sorted(dists))}")
    return errors, owners


def collect_wheels(arguments: Iterable[str]) -> list[Path]:
    wheels: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        wheels.extend(sorted(path.glob("*.whl")) if path.is_dir() else [path])
    return wheels


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    wheels = collect_wheels(arguments)
    if not wheels:
        print("check_layout: no wheels given", file=sys.stderr)
        return 2
    missing = [str(wheel) for wheel in wheels if not wheel.is_file()]
    if missing:
        print(f"check_layout: not found: {', '.join(missing)}", file=sys.stderr)
        return 2

    errors, owners = check(wheels)
    for entry, dists in sorted(owners.items()):
        print(f"{NAMESPACE}.{entry:<24} {', '.join(sorted(dists))}")
    for error in errors:
        print(f"check_layout: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"check_layout: {len(wheels)} wheel(s), namespace layout ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

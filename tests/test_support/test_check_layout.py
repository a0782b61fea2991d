"""scripts/check_layout.py, run as CI runs it, on wheels built to break one rule each."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_layout.py"


def _wheel(directory: Path, dist: str, *files: str) -> Path:
    wheel = directory / f"{dist}-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in files:
            archive.writestr(name, "")
        archive.writestr(f"{dist}-0.2.0.dist-info/METADATA", f"Name: {dist}\n")
    return wheel


def _check(*wheels: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, wheels)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_layout_disjoint_subpackages_passes(tmp_path: Path) -> None:
    core = _wheel(tmp_path, "keysmith_core", "keysmith/core/__init__.py", "keysmith/core/py.typed")
    django = _wheel(
        tmp_path,
        "keysmith_django",
        "keysmith/apps.py",
        "keysmith/models/__init__.py",
        "keysmith/templates/keysmith/base.html",
    )

    result = _check(core, django)

    assert result.returncode == 0, result.stderr
    assert "keysmith.core" in result.stdout
    assert "keysmith.apps" in result.stdout


def test_check_layout_directory_argument_checks_its_wheels(tmp_path: Path) -> None:
    _wheel(tmp_path, "keysmith_core", "keysmith/__init__.py", "keysmith/core/__init__.py")

    result = _check(tmp_path)

    assert result.returncode == 1
    assert "keysmith/__init__.py" in result.stderr


def test_check_layout_namespace_init_fails(tmp_path: Path) -> None:
    core = _wheel(tmp_path, "keysmith_core", "keysmith/__init__.py", "keysmith/core/__init__.py")

    result = _check(core)

    assert result.returncode == 1
    assert "keysmith/__init__.py; keysmith must stay a namespace" in result.stderr


def test_check_layout_namespace_init_in_data_purelib_fails(tmp_path: Path) -> None:
    core = _wheel(
        tmp_path,
        "keysmith_core",
        "keysmith/core/__init__.py",
        "keysmith_core-0.2.0.data/purelib/keysmith/__init__.py",
    )

    result = _check(core)

    assert result.returncode == 1
    assert "must stay a namespace" in result.stderr


def test_check_layout_subpackage_split_across_wheels_fails(tmp_path: Path) -> None:
    core = _wheel(tmp_path, "keysmith_core", "keysmith/core/__init__.py")
    django = _wheel(tmp_path, "keysmith_django", "keysmith/core/django_extras.py")

    result = _check(core, django)

    assert result.returncode == 1
    assert "keysmith.core is split across keysmith_core, keysmith_django" in result.stderr


def test_check_layout_module_and_subpackage_with_same_name_fails(tmp_path: Path) -> None:
    core = _wheel(tmp_path, "keysmith_core", "keysmith/hashers.py")
    django = _wheel(tmp_path, "keysmith_django", "keysmith/hashers/__init__.py")

    result = _check(core, django)

    assert result.returncode == 1
    assert "keysmith.hashers is split across" in result.stderr


def test_check_layout_same_data_file_in_two_wheels_fails(tmp_path: Path) -> None:
    core = _wheel(tmp_path, "keysmith_core", "keysmith/core/__init__.py", "keysmith/py.typed")
    django = _wheel(tmp_path, "keysmith_django", "keysmith/apps.py", "keysmith/py.typed")

    result = _check(core, django)

    assert result.returncode == 1
    assert "keysmith/py.typed is shipped by keysmith_core, keysmith_django" in result.stderr


def test_check_layout_wheel_without_namespace_files_fails(tmp_path: Path) -> None:
    stray = _wheel(tmp_path, "keysmith_asgi", "asgi/__init__.py")

    result = _check(stray)

    assert result.returncode == 1
    assert "ships nothing under keysmith/" in result.stderr


def test_check_layout_no_wheels_is_usage_error(tmp_path: Path) -> None:
    result = _check(tmp_path)

    assert result.returncode == 2
    assert "no wheels given" in result.stderr

"""The middleware imports without Starlette or FastAPI; the helpers need them."""

from __future__ import annotations

import subprocess
import sys

# A None entry in sys.modules makes any import of that module fail, as if it were not installed.
BLOCK = "import sys\nfor name in ('starlette', 'fastapi'):\n    sys.modules[name] = None\n"


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code], capture_output=True, text=True, check=False
    )


def test_asgi_package_without_starlette_imports_middleware() -> None:
    result = run(
        "import keysmith.asgi, keysmith.asgi.middleware\n"
        "from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator\n"
        "assert not any(m.startswith(('starlette', 'fastapi')) for m in sys.modules\n"
        "               if sys.modules[m] is not None)\n"
    )
    assert result.returncode == 0, result.stderr


def test_starlette_helpers_without_starlette_fail_to_import() -> None:
    result = run("import keysmith.asgi.starlette\n")
    assert result.returncode != 0
    assert "starlette" in result.stderr

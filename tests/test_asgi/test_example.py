"""The FastAPI example and its demo script, run as the README demo runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "fastapi_app" / "demo.py"


def test_fastapi_demo_cli_tokens_through_uvicorn_get_expected_statuses() -> None:
    # The demo finds the `keysmith` command on PATH, as in the project's virtual environment.
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    env.pop("KEYSMITH_DATABASE_URL", None)
    command = [sys.executable, str(DEMO)]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = [
        line.split("->")[1].split()[0] for line in result.stdout.splitlines() if "->" in line
    ]
    # Two tokens created, then the seven calls in order, then alice's API keys: create, the
    # new token used, a scope she does not hold, list, rotate, the old and the new secret,
    # revoke, the revoked token, and the endpoints without signing in.
    assert statuses[2:9] == ["200", "401", "401", "200", "403", "201", "200"]
    assert statuses[9:] == ["201", "200", "403", "200", "200", "401", "200", "200", "401", "401"]
    assert "auth_success" in result.stdout
    assert '"actor_id": "alice"' in result.stdout

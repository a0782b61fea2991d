"""The Flask example and its demo script, run as the README demo runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "flask_app" / "demo.py"


def test_flask_demo_cli_tokens_through_wsgi_server_get_expected_statuses() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYSMITH_", "FLASK_"))}
    result = subprocess.run(
        [sys.executable, str(DEMO)], env=env, capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = [
        line.split("->")[1].split()[0]
        for line in result.stdout.splitlines()
        if "->" in line and "flask keysmith create" not in line
    ]
    # The ten calls with CLI tokens, then alice's API keys: create, the new token on /me, a
    # scope she does not hold, list, rotate, the old and new secrets, revoke, the revoked
    # token, and /tokens without signing in.
    assert statuses[:10] == ["200", "200", "401", "200", "403", "201", "200", "401", "200", "401"]
    assert statuses[10:] == ["201", "200", "403", "200", "200", "401", "200", "200", "401", "401"]
    assert "CLI flask keysmith rotate" in result.stdout
    assert result.stderr == ""

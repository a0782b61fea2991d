"""Two ``keysmith rotate`` processes on one token: one rotates, the other hands out nothing."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from sqlalchemy import text
from test_sqlalchemy.test_cli_script import SCRIPT, environment

from keysmith.core import InvalidToken
from keysmith.sqlalchemy import make_engine, service

WAIT_SECONDS = 60.0


def rotate_process(url: str, prefix: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), "--database-url", url, "--json", "rotate", prefix],
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_blocked_updates(url: str, count: int) -> None:
    """Until ``count`` backends wait for the table lock in an UPDATE of the token row."""
    # Autocommit: inside one transaction PostgreSQL keeps showing the first activity snapshot.
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND starts_with(query, 'UPDATE keysmith_tokens ')"
    )
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        with engine.connect() as connection:
            while connection.execute(query).scalar_one() < count:
                assert time.monotonic() < deadline, "the rotations never reached their UPDATE"
                time.sleep(0.05)
    finally:
        engine.dispose()


def test_two_rotate_processes_both_read_first_exactly_one_rotates(
    postgres_url: str, tmp_path: Path
) -> None:
    svc = service(postgres_url, audit_buffer_seconds=0)
    try:
        record, old_raw = svc.create(name="shared")
        # Writes to the table wait while this transaction holds the lock; reads go on, so both
        # processes read the same row and compute their new hash before either may write.
        locker = make_engine(postgres_url)
        with locker.connect() as connection:
            transaction = connection.begin()
            connection.execute(text("LOCK TABLE keysmith_tokens IN EXCLUSIVE MODE"))
            processes = [rotate_process(postgres_url, record.prefix, tmp_path) for _ in range(2)]
            wait_for_blocked_updates(postgres_url, 2)
            transaction.commit()
        locker.dispose()
        results = [process.communicate(timeout=WAIT_SECONDS) for process in processes]
        codes = sorted(process.returncode for process in processes)
        assert codes == [0, 1], results
        by_code = {
            process.returncode: result for process, result in zip(processes, results, strict=True)
        }
        out, err = by_code[0]
        lost_out, lost_err = by_code[1]
        assert err == ""
        assert lost_out == ""  # the loser prints no token at all
        assert "since it was read; nothing was rotated" in lost_err
        assert not re.search(rf"{record.prefix}:\w", lost_err)  # names the token, no secret
        new_raw = json.loads(out)["token"]
        assert svc.authenticate(new_raw).prefix == record.prefix
        try:
            svc.authenticate(old_raw)
        except InvalidToken:
            pass
        else:
            raise AssertionError("the secret both rotations replaced still authenticates")
        rotated = [e for e in svc.store.list_tokens() if e.prefix == record.prefix]
        assert rotated[0].key != record.key
    finally:
        svc.store.engine.dispose()

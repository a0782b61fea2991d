"""The data set, grown in place with ``generate_series``: tokens created over a year, audit
rows over 90 days, one busy token holding a fifth of them. The same shape for the Django
tables and for the SQL tables of keysmith-sqlalchemy."""

from __future__ import annotations

from typing import Any

# The busy token is the first one; every fifth audit row is its.
BUSY_PREFIX = "tok_00000001"
QUIET_PREFIX = "tok_00000002"

_TOKENS = {
    "django": """
        INSERT INTO keysmith_token (id, name, description, token_type, key, prefix,
            created_at, expires_at, last_used_at, revoked, purged)
        SELECT gen_random_uuid(), 'svc-' || g, '', CASE WHEN g % 10 = 0 THEN 'system'
            ELSE 'user' END, 'bench$' || g, 'tok_' || lpad(g::text, 8, '0'),
            now() - random() * interval '365 days',
            CASE WHEN g % 3 = 0 THEN NULL ELSE now() + (random() - 0.2) * interval '180 days' END,
            NULL, g % 100 = 0, g % 1000 = 0
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    """,
    "sql": """
        INSERT INTO keysmith_tokens (id, prefix, key, name, description, token_type,
            created_at, expires_at, revoked, purged)
        SELECT gen_random_uuid(), 'tok_' || lpad(g::text, 8, '0'), 'bench$' || g, 'svc-' || g,
            '', 'user', now() - random() * interval '365 days',
            CASE WHEN g % 3 = 0 THEN NULL ELSE now() + (random() - 0.2) * interval '180 days' END,
            g % 100 = 0, g % 1000 = 0
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    """,
}

_IDS = {
    "django": "SELECT id, prefix FROM keysmith_token",
    "sql": "SELECT id, prefix FROM keysmith_tokens",
}

# Row g: the busy token when g % 5 = 0, else a token picked by g; mostly successes.
_COMMON_TEMPLATE = """
    CASE WHEN g % 50 = 1 THEN 'auth_failed' WHEN g % 1000 = 2 THEN 'created'
         WHEN g % 5000 = 3 THEN 'rotated' ELSE 'auth_success' END,
    '/api/items/' || (g % 1000), CASE WHEN g % 7 = 0 THEN 'POST' ELSE 'GET' END,
    CASE WHEN g % 50 = 1 THEN (ARRAY[401, 403, 429])[1 + g % 3]
         WHEN g % 1000 = 2 OR g % 5000 = 3 THEN 0
         WHEN g % 2000 = 7 THEN 500 WHEN g % 10 = 4 THEN 204 ELSE 200 END,
    ('10.' || (g % 256) || '.' || (g / 256 % 256) || '.' || (g % 251)){ip_cast},
    'bench/1.0', '{{}}', now() - random() * interval '90 days'
"""
_AUDIT = {
    "django": f"""
        INSERT INTO keysmith_token_audit_log (token_id, action, path, method, status_code,
            ip_address, user_agent, extra, created_at)
        SELECT CASE WHEN g % 5 = 0 THEN busy.id ELSE t.id END,
            {_COMMON_TEMPLATE.format(ip_cast="::inet")}
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
        JOIN bench_ids AS t ON t.n = 1 + (g::bigint * 7919) % %(tokens)s::bigint
        CROSS JOIN (SELECT id FROM bench_ids WHERE n = 1) AS busy
    """,
    "sql": f"""
        INSERT INTO keysmith_audit_events (token_id, token_prefix, action, path, method,
            status_code, ip_address, user_agent, extra, created_at)
        SELECT CASE WHEN g % 5 = 0 THEN busy.id ELSE t.id END,
            CASE WHEN g % 5 = 0 THEN busy.prefix ELSE t.prefix END,
            {_COMMON_TEMPLATE.format(ip_cast="")}
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
        JOIN bench_ids AS t ON t.n = 1 + (g::bigint * 7919) % %(tokens)s::bigint
        CROSS JOIN (SELECT id, prefix FROM bench_ids WHERE n = 1) AS busy
    """,
}

_COUNT = {
    "django": ("keysmith_token", "keysmith_token_audit_log"),
    "sql": ("keysmith_tokens", "keysmith_audit_events"),
}


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return int(cursor.fetchone()[0])


def _run(cursor: Any, statement: str, parameters: dict[str, int]) -> None:
    # A modulo is a literal % beside the driver's %(name)s placeholders.
    cursor.execute(statement.replace(" % ", " %% "), parameters)


def grow(cursor: Any, schema: str, tokens: int, rows: int) -> None:
    """Add tokens and audit rows until the tables hold ``tokens`` and ``rows``."""
    token_table, audit_table = _COUNT[schema]
    have = _count(cursor, token_table)
    if have < tokens:
        _run(cursor, _TOKENS[schema], {"first": have + 1, "last": tokens})
    have_rows = _count(cursor, audit_table)
    if have_rows < rows:
        cursor.execute("DROP TABLE IF EXISTS bench_ids")
        cursor.execute(
            "CREATE TEMP TABLE bench_ids AS SELECT row_number() OVER (ORDER BY prefix) AS n, "
            f"id, prefix FROM ({_IDS[schema]}) AS ids"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_ids (n)")
        _run(cursor, _AUDIT[schema], {"first": have_rows + 1, "last": rows, "tokens": tokens})
    cursor.execute(f"ANALYZE {token_table}")
    cursor.execute(f"ANALYZE {audit_table}")

"""The error answers (``keysmith.core.replies``: 401, 403, 429, 503) as Flask responses."""

from __future__ import annotations

from flask import Response

from keysmith.core.replies import ErrorReply


def flask_response(reply: ErrorReply) -> Response:
    """The JSON body and headers every keysmith adapter sends for this refusal."""
    return Response(
        reply.body(), status=reply.status, headers=dict(reply.headers), mimetype="application/json"
    )

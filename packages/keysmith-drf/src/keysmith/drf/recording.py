"""Recording a DRF request's audit row with its final status when no middleware will."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from keysmith.django.recording import record_request_outcome, request_state

RECORDING = "_keysmith_records_after_response"


def record_after_response(request: Request) -> None:
    """Without the middleware, write the row once the view finalised its response.

    DRF authenticates inside the view's ``dispatch``, before any response exists; every
    response the view returns, an error answer included, goes through its
    ``finalize_response``, which this wraps for this request's view instance only. A view that
    raised past DRF is recorded by ``keysmith.django.recording`` (500).
    """
    state = request_state(request)
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if state.middleware or view is None or getattr(view, RECORDING, False):
        return
    finalize = view.finalize_response

    def finalize_and_record(request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = finalize(request, response, *args, **kwargs)
        record_request_outcome(request, response.status_code)
        return response

    view.finalize_response = finalize_and_record
    setattr(view, RECORDING, True)

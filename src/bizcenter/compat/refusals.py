"""The compatible API's shape for what core/ refuses before any view runs, and for an
unexpected error: TikTok's envelope. Named for ``/open_api/`` in
settings.BIZCENTER_DOOR_REFUSALS, so core/ never imports this door."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from bizcenter.compat import envelope
from bizcenter.compat.errors import SYSTEM

log = logging.getLogger("bizcenter.compat")


def refusal(request: HttpRequest, status: int, code: str, message: str,
            fields: dict[str, str] | None = None) -> HttpResponse:
    """HTTP 200 with code 40002, as TikTok answers a bad request."""
    return envelope.error(envelope.request_id(), 40002, message)


def server_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    rid = envelope.request_id()
    log.error("TikTok-compatible API: %s answered %s (request_id %s)", request.path,
              response.status_code, rid)
    return envelope.error(rid, SYSTEM, "System error. Try again; if it keeps failing, "
                          f"give the operator this request_id: {rid}.")

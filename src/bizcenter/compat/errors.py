"""TikTok's error codes, and the services' errors translated to them.

The message is always ours: for a refusal it is the access engine's reason and
fix (``explain``), for bad input what was wrong and how to fix it, for a limit
the limit and what frees a seat. A system error never carries a stack trace.
"""

from __future__ import annotations

import logging

from bizcenter.accounts.tokens import Unauthenticated
from bizcenter.core.errors import NotAllowed, NotFound, ServiceError
from bizcenter.core.ratelimit import RateLimited

log = logging.getLogger(__name__)

PARTIAL_OK = 20001
PERMISSION = 40001
PARAM = 40002
NOT_FOUND = 40007
TOO_MANY_REQUESTS = 40100
TOKEN_EXPIRED = 40102
EMPTY_TOKEN = 40104
INVALID_TOKEN = 40105
ROUTE_NOT_FOUND = 40400
SYSTEM = 50000


class TikTokError(Exception):
    """A refusal this door makes itself: a parameter it cannot read."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def param(message: str) -> TikTokError:
    return TikTokError(PARAM, message)


def translate(exc: Exception, rid: str) -> tuple[int, str]:
    """The TikTok code and message for anything an endpoint raised."""
    if isinstance(exc, TikTokError):
        return exc.code, exc.message
    if isinstance(exc, Unauthenticated):
        if exc.code == "token_missing":
            return EMPTY_TOKEN, ("Send your bizcenter API token in the Access-Token header "
                                 "(it starts with bzc_). Create one under Account → API tokens.")
        if exc.code == "token_expired":
            return TOKEN_EXPIRED, exc.message
        return INVALID_TOKEN, exc.message
    if isinstance(exc, RateLimited):
        return TOO_MANY_REQUESTS, exc.message
    if isinstance(exc, NotAllowed):
        return PERMISSION, exc.message
    if isinstance(exc, NotFound):
        return NOT_FOUND, exc.message
    if isinstance(exc, ServiceError):
        # Bad input, conflicts (the last Admin, a stale change) and the seat limits:
        # TikTok answers every refused parameter with 40002.
        return PARAM, exc.message
    log.exception("TikTok-compatible API: unexpected error (request_id %s)", rid)
    return SYSTEM, (f"System error: nothing was changed. Try again; if it keeps failing, give "
                    f"the operator this request_id: {rid}.")

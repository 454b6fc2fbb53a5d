"""The errors services raise; every door turns them into its own shape.

Each carries a message written for the person who made the request: what was
wrong and how to fix it. ``status`` is the HTTP status a web door answers with
and ``code`` a stable machine-readable name.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class InvalidInput(ServiceError):
    status = 400
    code = "invalid_input"


class NotAllowed(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class LimitReached(Conflict):
    code = "limit_reached"


class Gone(ServiceError):
    """A link or resource that existed but can no longer be used (expired, used, cancelled)."""

    status = 410
    code = "gone"

"""One error shape for the whole API, whatever raised it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from bizcenter.core import hostile
from bizcenter.core.errors import ServiceError


def body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class BoundedParser(Parser):
    """django-ninja's JSON parser with the depth bound of core/hostile.py: the middleware
    refuses deep JSON first, and this keeps the API safe wherever it is mounted."""

    def parse_body(self, request: HttpRequest) -> Any:
        return hostile.loads(request.body)


def _unreadable_body(exc: HttpError) -> tuple[str, str] | None:
    """django-ninja turns a body its parser could not read into a bare 400 "Cannot parse
    request body"; the parser's own error (kept as the cause) says what was wrong."""
    cause = exc.__cause__
    if isinstance(cause, hostile.TooDeep):
        return "too_deep", (f"The request body is JSON nested more than "
                            f"{hostile.MAX_JSON_DEPTH} levels deep; send a flatter object.")
    if isinstance(cause, ValueError):
        return "invalid_json", (f"The request body is not valid JSON ({cause}); send a JSON "
                                "object with Content-Type: application/json.")
    return None


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        response = api.create_response(request, body(exc.code, exc.message, exc.fields),
                                       status=exc.status)
        retry = getattr(exc, "retry_after", None)
        if retry:
            response["Retry-After"] = str(retry)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for problem in exc.errors:
            where = [str(p) for p in problem.get("loc", ()) if p not in ("body", "query",
                                                                          "path", "payload")]
            fields[".".join(where) or "body"] = str(problem.get("msg", "invalid"))
        listed = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return api.create_response(request, body("invalid_input",
                                                 f"The request is not valid: {listed}.", fields),
                                   status=400)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, body(
            "token_missing", "Send your API token as 'Authorization: Bearer bzc_…'. Create one "
            "under Account → API tokens."), status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if (unreadable := _unreadable_body(exc)) is not None:
            code, message = unreadable
            return api.create_response(request, body(code, message, {"body": message}),
                                       status=400)
        return api.create_response(request, body("error", str(exc)), status=exc.status_code)

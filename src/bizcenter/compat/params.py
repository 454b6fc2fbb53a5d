"""Reading a request the way TikTok's clients send it.

GET parameters arrive in the query string, objects and lists (``filtering``,
``fields``, ``advertiser_ids``) JSON-encoded in one parameter each; POST
parameters arrive as a JSON body. Ids are strings (numbers are taken too).
Anything unreadable is a 40002 that names the parameter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from bizcenter.compat.errors import param
from bizcenter.core import hostile

MAX_IDS = 100


def _decoded(value: str) -> Any:
    """A query value: JSON when it looks like an object or a list, else the text.

    Read with the depth bound (core/hostile.py), as the middleware checked it, so this
    reader never recurses out of the stack even if called outside a request."""
    text = value.strip()
    if text[:1] in ("[", "{"):
        try:
            return hostile.loads(text, parse_float=Decimal)
        except ValueError:
            return value  # read as text; the getter that wanted JSON says what is wrong
    return value


class Params:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def of(cls, request: HttpRequest) -> Params:
        data: dict[str, Any] = {k: _decoded(str(v)) for k, v in request.GET.items()}
        if request.method == "POST" and request.body:
            try:
                # Amounts keep their decimals: 150.10 must not become 150.09999…
                body = hostile.loads(request.body, parse_float=Decimal)
            except hostile.TooDeep as exc:
                raise param(f"The request body is JSON nested more than "
                            f"{hostile.MAX_JSON_DEPTH} levels deep; send a flatter "
                            "object.") from exc
            except ValueError as exc:
                raise param("The request body is not valid JSON; send a JSON object with "
                            "Content-Type: application/json.") from exc
            if not isinstance(body, dict):
                raise param("The request body must be a JSON object.")
            data.update(body)
        return cls(data)

    def has(self, name: str) -> bool:
        return self.data.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def _missing(self, name: str) -> Exception:
        return param(f"{name} is required.")

    def text(self, name: str, *, required: bool = False, default: str | None = None
             ) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise self._missing(name)
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise param(f"{name} must be a string.")
        return str(value)

    def id(self, name: str, *, required: bool = True) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise self._missing(name)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise param(f"{name} must be an id, written as a string of digits.")
        return str(value).strip()

    def ids(self, name: str, *, required: bool = True, most: int = MAX_IDS) -> list[str]:
        value = self.data.get(name)
        if value is None or value == "" or value == []:
            if required:
                raise self._missing(name)
            return []
        if isinstance(value, str):
            value = _decoded(value) if value.strip()[:1] == "[" else [value]
        if not isinstance(value, list) or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            raise param(f"{name} must be a list of ids, e.g. [\"123\", \"456\"].")
        if len(value) > most:
            raise param(f"{name} holds {len(value)} ids; at most {most} are allowed.")
        return [str(v).strip() for v in value]

    def strings(self, name: str) -> list[str] | None:
        """A list of strings (JSON-encoded on GET); None when absent."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = _decoded(value) if value.strip()[:1] == "[" else [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise param(f"{name} must be a list of strings, e.g. [\"a\", \"b\"].")
        return value

    def obj(self, name: str) -> dict[str, Any]:
        """An object parameter (``filtering``); empty when absent."""
        value = self.data.get(name)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise param(f"{name} must be a JSON object, e.g. {name}={{\"keyword\": \"a\"}}.")
        return value

    def objects(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise param(f"{name} must be a list of JSON objects.")
        return value

    def enum(self, name: str, allowed: tuple[str, ...], *, default: str | None = None,
             required: bool = False) -> str | None:
        value = self.text(name, required=required, default=default)
        if value is None:
            return None
        if value.upper() not in allowed:
            raise param(f"'{value}' is not a valid {name}. Use one of: {', '.join(allowed)}.")
        return value.upper()

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise param(f"{name} must be true or false.")

    def integer(self, name: str, default: int) -> int:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise param(f"{name} must be a whole number.")
        try:
            return int(str(value))
        except ValueError as exc:
            raise param(f"{name} must be a whole number.") from exc

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise param(f"{name} must be a date written YYYY-MM-DD.") from exc


def field_of(filtering: dict[str, Any], name: str, *, kind: type = str) -> Any:
    """One value of a ``filtering`` object, checked for its type."""
    value = filtering.get(name)
    if value is None or value == "":
        return None
    if kind is str and isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise param(f"filtering.{name} must be a {kind.__name__}.")
    return value

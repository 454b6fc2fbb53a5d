"""TikTok's wire format, by hand: a raw HTTP client for the TikTok-compatible API that
checks every answer's envelope (the tik fixture in tests/compat/conftest.py makes them),
shared with the tests elsewhere that speak TikTok's shapes."""

from __future__ import annotations

import json
from typing import Any

import urllib3

ENVELOPE = {"code", "message", "request_id", "data"}


class Tik:
    """TikTok's wire format, by hand: GET parameters that are objects or lists go
    JSON-encoded, POST parameters as a JSON body, the token in Access-Token."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base.rstrip("/") + "/open_api/v1.3/"
        self.token = token
        self.http = urllib3.PoolManager()

    def _headers(self) -> dict[str, str]:
        return {"Access-Token": self.token} if self.token is not None else {}

    def _answer(self, response: urllib3.BaseHTTPResponse) -> dict[str, Any]:
        assert response.status == 200, response.data[:300]
        assert response.headers["Content-Type"] == "application/json"
        body = json.loads(response.data)
        assert set(body) == ENVELOPE, body
        assert response.headers["X-Tt-Logid"] == body["request_id"]
        if body["code"] not in (0, 20001):  # an error: no data, our message, no trace
            assert body["data"] == {}
            assert "Traceback" not in body["message"]
        return body

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        fields = {k: json.dumps(v) if isinstance(v, dict | list) else str(v)
                  for k, v in params.items()}
        return self._answer(self.http.request("GET", self.base + path, fields=fields,
                                              headers=self._headers()))

    def post(self, path: str, body: dict[str, Any] | None = None, **extra: Any
             ) -> dict[str, Any]:
        return self._answer(self.http.request(
            "POST", self.base + path, body=json.dumps({**(body or {}), **extra}),
            headers={**self._headers(), "Content-Type": "application/json"}))

    def ok(self, method: str, path: str, **params: Any) -> dict[str, Any]:
        """The data of an answer that must be code 0."""
        body = self.get(path, **params) if method == "GET" else self.post(path, params)
        assert body["code"] == 0, body
        assert body["message"] == "OK"
        return body["data"]  # type: ignore[no-any-return]

"""The command line run in-process, locally and against a live server."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.handlers import base, exception

from bizcenter.cli import common, main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def as_json(capsys, *args: str):
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    """Rate-limit counters start at zero; the backend choice never leaks between tests;
    the server thread's own request log stays out of the command's stderr."""
    cache.clear()
    # (Each local command starts Django, which configures logging afresh: the request
    # log is silenced at its source rather than at a logger.)
    for module in (base, exception):
        monkeypatch.setattr(module, "log_response", lambda *args, **kwargs: None)
    for name in ("BIZCENTER_URL", "BIZCENTER_TOKEN", "BIZCENTER_AS", "BIZCENTER_CENTER"):
        monkeypatch.delenv(name, raising=False)
    yield
    common.use_server(None, None)


def remote(capsys, world, *args: str, token: str | None = None) -> tuple[int, str, str]:
    return run(capsys, "--url", world["url"], "--token", token or world["admin_token"], *args)


def same(capsys, world, *args: str, token: str = "admin_token",  # noqa: S107
         person: str = "owner"):
    """The command's output locally (as the person) and remotely (with their token)."""
    local = run(capsys, *args, "--as", world[person])
    far = remote(capsys, world, *args, token=world[token])
    assert local[0] == 0, local[2]
    assert far == local
    return far[1]


def one_line_error(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err

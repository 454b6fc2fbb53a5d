"""Fixtures for the command-line tests."""

from __future__ import annotations

import pytest

from bizcenter.cli import common


@pytest.fixture
def no_local(monkeypatch):
    """A remote command that started Django's local side would fail loudly here (every
    local path starts it, through ``actor()``); local commands run as usual."""
    local_setup = common.setup

    def setup() -> None:
        if common.is_remote():
            raise AssertionError("a --url command touched the local installation")
        local_setup()

    monkeypatch.setattr(common, "setup", setup)

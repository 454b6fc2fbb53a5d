"""Slow clients cannot starve `serve`: connections that send their headers a byte at a
time hold a thread each, not a whole worker process, so a normal request is still
answered while many more of them than there are processes stay open. And `serve` says,
once at start, when it listens where other machines reach it without a proxy declared."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bizcenter.cli.serve import exposed_warning, is_loopback
from tests.support.servers import free_port, wait_for

WORKERS = 2
SLOW = 24  # with sync workers, WORKERS of them were enough to stop every answer


def _slow_clients(port: int, count: int, stop: threading.Event) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers begun, never finished
        sockets.append(s)

    def trickle() -> None:
        while not stop.wait(1.0):
            for s in sockets:
                with contextlib.suppress(OSError):
                    s.send(b"X")

    threading.Thread(target=trickle, daemon=True).start()
    return sockets


@pytest.mark.slow
def test_a_normal_request_is_answered_while_slow_clients_hold_connections(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR", "REDIS_URL",
                        "BIZCENTER_BEHIND_PROXY")}
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(WORKERS), "--no-background", "--data-dir",
         str(tmp_path / "data")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    stop = threading.Event()
    sockets: list[socket.socket] = []
    answers = []
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        sockets = _slow_clients(port, SLOW, stop)
        time.sleep(2)  # every one accepted and being read
        for _ in range(5):  # a new connection each, as separate clients would
            start = time.monotonic()
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
                    answers.append((answer.status, round(time.monotonic() - start, 2)))
            except OSError as exc:
                answers.append((type(exc).__name__, round(time.monotonic() - start, 2)))
        # The slow clients are still there: the server did not just drop them.
        still_open = sum(1 for s in sockets if _open(s))
    finally:
        stop.set()
        for s in sockets:
            s.close()
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert [status for status, _ in answers] == [200] * 5, answers
    assert still_open == SLOW
    assert "WARNING" not in output  # loopback: nothing to warn about


def _open(s: socket.socket) -> bool:
    try:
        s.send(b"X")
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "[2001:db8::1]",  # noqa: S104
                                  "bizcenter.example.com"])
def test_serve_warns_when_reachable_from_other_machines_without_a_proxy(host):
    said = exposed_warning(host, behind_proxy=False)
    assert said is not None and host in said
    assert "BIZCENTER_BEHIND_PROXY=1" in said and "nginx" in said
    assert exposed_warning(host, behind_proxy=True) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost",
                                  "LOCALHOST"])
def test_serve_says_nothing_on_loopback(host):
    assert is_loopback(host)
    assert exposed_warning(host, behind_proxy=False) is None


@pytest.mark.slow
def test_serve_on_every_interface_prints_the_warning_once(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR", "REDIS_URL",
                        "BIZCENTER_BEHIND_PROXY")}
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--host", "0.0.0.0", "--port",  # noqa: S104
         str(port), "--workers", "1", "--no-background", "--data-dir",
         str(tmp_path / "data")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert output.count("WARNING: listening on 0.0.0.0") == 1, output
    assert "BIZCENTER_BEHIND_PROXY=1" in output


def test_threads_per_process_can_be_lowered_to_fit_the_databases_connections():
    from bizcenter.cli.serve import THREADS, gunicorn_options

    assert gunicorn_options("127.0.0.1", 8000, 4)["threads"] == THREADS
    assert gunicorn_options("127.0.0.1", 8000, 4, 8)["threads"] == 8

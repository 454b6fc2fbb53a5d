"""Slow clients against ``bizcenter serve``: sync workers (the old setting) beside gthread.

    .venv/bin/python bench/slow_clients.py [--workers 2] [--counts 0,1,2,8,24,32,40] [--probes 5]

A slow client opens a connection, sends ``GET / HTTP/1.1`` and one header line, then
one more header byte every second, never finishing its headers. For each count N of
such clients, held open together, a normal client makes ``--probes`` requests to
``GET /healthz``, each on a new connection, and the time each takes to be answered
is printed (or "no answer" when the ``--timeout`` passes first). The slow clients
are then closed and the server given time to recover before the next N.

Two servers are measured in the same run, on the same throwaway SQLite data folder
layout (``--workers`` processes each, ``--no-background``):

* sync: ``serve`` as it was, ``worker_class`` "sync" (one request per process);
* gthread: ``serve`` as it is (``bizcenter.cli.serve.gunicorn_options``).

The sync server is the real ``serve`` with only its gunicorn options changed, in a
child process, so everything else (settings, middleware, database) is alike.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

# Run as a child: the real ``serve``, with its gunicorn options changed for "sync".
CHILD = """
import sys
from bizcenter.cli import serve
mode, args = sys.argv[1], sys.argv[2:]
if mode == "sync":
    real = serve.gunicorn_options
    def sync_options(*a):
        options = real(*a)
        options.update(worker_class="sync", threads=1)
        return options
    serve.gunicorn_options = sync_options
from bizcenter.cli import main
main(["serve", *args])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(mode: str, workers: int, data: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR", "REDIS_URL")}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, mode, "--port", str(port), "--workers", str(workers),
         "--no-background", "--data-dir", str(data)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while probe(port, 2) is None:
        if time.monotonic() > deadline:
            stop(server)
            raise SystemExit(f"{mode}: the server did not start")
        time.sleep(0.2)
    return server, port


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def probe(port: int, timeout: float) -> float | None:
    """Seconds for GET /healthz to answer 200 on a new connection, or None."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            r.read()
            ok = r.status == 200
    except OSError:
        return None
    took = time.perf_counter() - start
    return took if ok and took <= timeout else None


class SlowClients:
    """N connections that send headers one byte a second and never finish them."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets: list[socket.socket] = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            self.sockets.append(s)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self) -> None:
        while not self.done.wait(1.0):
            for s in self.sockets:
                with contextlib.suppress(OSError):  # closed by the server: one less
                    s.send(b"X")

    def close(self) -> None:
        self.done.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


def measure(port: int, count: int, probes: int, timeout: float) -> list[float | None]:
    slow = SlowClients(port, count)
    try:
        time.sleep(1.5)  # accepted and being read, each by a worker or a thread
        return [probe(port, timeout) for _ in range(probes)]
    finally:
        slow.close()
        deadline = time.monotonic() + 30
        while probe(port, 2) is None and time.monotonic() < deadline:
            time.sleep(0.2)


def cell(times: list[float | None]) -> str:
    answered = [t for t in times if t is not None]
    if not answered:
        return "no answer"
    text = f"{statistics.median(answered) * 1000:.0f} ms (max {max(answered) * 1000:.0f})"
    missed = len(times) - len(answered)
    return text + (f", {missed}/{len(times)} no answer" if missed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--counts", default="0,1,2,8,24,32,40",
                        help="numbers of slow clients held open together")
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds a normal request may take before it counts as unanswered")
    args = parser.parse_args()
    counts = [int(n) for n in args.counts.split(",")]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from bizcenter.cli.serve import THREADS

    results: dict[str, dict[int, list[float | None]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("sync", "gthread"):
            server, port = start(mode, args.workers, Path(tmp) / mode)
            try:
                results[mode] = {n: measure(port, n, args.probes, args.timeout) for n in counts}
            finally:
                stop(server)
    print(f"GET /healthz while N slow clients are open: median (max) of {args.probes} "
          f"requests; 'no answer' = none within {args.timeout:g} s. "
          f"{args.workers} workers; gthread has {THREADS} threads each.\n")
    print("| slow clients | sync | gthread |")
    print("|---:|---|---|")
    for n in counts:
        print(f"| {n} | {cell(results['sync'][n])} | {cell(results['gthread'][n])} |")


if __name__ == "__main__":
    main()

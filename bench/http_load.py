"""Real HTTP: ``bizcenter serve`` (gunicorn) under a bounded load, each endpoint beside the floor.

    .venv/bin/python bench/http_load.py [--seconds 2] [--rounds 3] [--concurrency 2] [--scale]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/http_load.py --scale

SQLite always; PostgreSQL too when DATABASE_URL is set (a throwaway database
beside the one it names, dropped afterwards; see throwaway.py). For each:

1. A seeding process (this script, ``--seed``) migrates a fresh data folder and
   database and writes, in bulk, Business Centers of 4,000, 1,000 and 10 members
   (the owner is Admin of each; one Standard member per center holds an ad
   account as ANALYST), a year of daily metrics for ``--campaigns`` campaigns in
   the big one, an empty center to invite into, API tokens, and a logged-in
   session for the owner.
2. ``bizcenter serve --workers N --no-background`` starts on a free loopback
   port, on that data folder and database (rate limits raised, the member limit
   too so invitations keep being accepted: the load is not what is refused).
3. A load generator in this process (asyncio, raw HTTP/1.1, ``--concurrency``
   connections; gunicorn's sync workers close each connection, so a request's
   time includes its TCP connect as a real client's would) drives each endpoint
   for ``--seconds``, in ``--rounds`` rounds of one burst of each (so load from
   elsewhere on the machine lands on every line alike):

   * floor: ``GET /ping``, same server, middleware and session machinery, no SQL;
   * ``GET /healthz`` (one ``SELECT 1``);
   * the access check ``GET /api/v1/centers/{id}/access/check`` (a Standard
     member asking about its ad account, with its own token);
   * the members list page ``GET /c/{id}/partners/`` (the owner's session cookie);
   * the members API page ``GET /api/v1/centers/{id}/members``;
   * an invitation ``POST /api/v1/centers/{id}/invitations``, a new address each;
   * the report ``GET /api/v1/centers/{id}/reports`` (a year, by month).

   Requests per second is completed requests over the burst's time; p50/p99 are
   per request. Any status other than the expected one is counted as an error.

   On PostgreSQL named over TCP on this machine, when its server has a Unix socket
   here too, a second server on the same database connects through the socket,
   and its floor, ``/healthz`` and check are measured in the same rounds.
4. ``--scale`` (PostgreSQL): the check, members page and members API at 10, 1,000
   and 4,000 members, in the seeded database (4 Business Centers) and in two more
   seeded alike where filler Business Centers (each with three members and an ad
   account, inserted by ``INSERT ... SELECT generate_series``) bring the count to
   1,000 and to 100,000. Each database has its own server, and all are measured
   in the same rounds, so the machine's load falls on every size alike.

With ``REDIS_URL`` set, the servers use Redis as their cache (the rate-limit
counters every API call bumps), as several app processes in production must.
Prints markdown tables; ``--json PATH`` also writes the figures for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import cputime
from stats import spread
from throwaway import drop, over_unix_socket, postgres_database

ROOT = Path(__file__).resolve().parent.parent
SIZES = (4000, 1000, 10)
SCALE_CENTERS = (1000, 100_000)


# --------------------------------------------------------------------------- seeding

def seed_center(owner: object, name: str, members: int, rng: random.Random) -> dict:
    """A Business Center of ``members`` active members (the owner included), in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from bizcenter.accounts.models import User
    from bizcenter.accounts.tokens import create_token
    from bizcenter.assets.models import AssetGrant
    from bizcenter.assets.services import create_asset
    from bizcenter.centers.choices import Module, PartnerKind, Role
    from bizcenter.centers.models import Membership
    from bizcenter.centers.services import create_center
    from bizcenter.core.actor import Actor

    now = timezone.now()
    unusable = make_password(None)
    admin = Actor(owner, via="bench")  # type: ignore[arg-type]
    center = create_center(admin, name=name)
    ads = create_asset(admin, center, type="ADVERTISER", name=f"{name} ads")
    tag = name.split()[0].lower()
    users = User.objects.bulk_create(
        (User(email=f"person{i}.{tag}@bench{i % 7}.example",
              name=f"{rng.choice(('Ada', 'Ben', 'Chloé', 'Farid', 'Wen'))} "
                   f"{rng.choice(('Martin', 'Müller', 'Okafor', 'Silva'))}",
              password=unusable, email_verified_at=now)
         for i in range(members - 1)), batch_size=1000)
    kinds, modules = list(PartnerKind.values), list(Module.values)
    rows = Membership.objects.bulk_create(
        (Membership(center=center, user=u, role=Role.ADMIN if i < 10 else Role.STANDARD,
                    kind=kinds[i % len(kinds)],
                    modules=sorted(rng.sample(modules, rng.randint(0, len(modules)))),
                    joined_at=now - timedelta(days=rng.uniform(1, 700)),
                    last_active_at=now - timedelta(hours=rng.uniform(1, 900)))
         for i, u in enumerate(users)), batch_size=1000)
    checker = rows[-1]
    AssetGrant.objects.create(membership=checker, asset=ads, roles=["ANALYST"])
    Membership.objects.filter(pk=checker.pk).update(role=Role.STANDARD, modules=modules)
    return {
        "id": center.pk, "asset": ads.pk, "members": members,
        "owner_token": create_token(admin, center, "bench").secret,
        "checker_token": create_token(Actor(checker.user, via="bench"), center,
                                      "bench").secret,
    }


def seed_metrics(center_id: int, asset_id: int, campaigns: int, days: int) -> dict:
    from bizcenter.campaigns.models import Campaign
    from bizcenter.centers.models import BusinessCenter
    from bizcenter.reporting.models import DailyMetric
    from bizcenter.reporting.services import today_in

    rng = random.Random(365)
    until = today_in(BusinessCenter.objects.get(pk=center_id))
    since = until - timedelta(days=days - 1)
    made = Campaign.objects.bulk_create(
        Campaign(advertiser_id=asset_id, name=f"Campaign {i + 1}", objective="CONVERSIONS",
                 budget=Decimal(rng.randint(20, 500))) for i in range(campaigns))
    batch = []
    for campaign in made:
        for d in range(days):
            impressions = rng.randint(2000, 20000)
            clicks = int(impressions * rng.uniform(0.004, 0.03))
            batch.append(DailyMetric(
                campaign_id=campaign.pk, advertiser_id=asset_id, center_id=center_id,
                day=since + timedelta(days=d), spend=Decimal(f"{impressions * 0.008:.2f}"),
                impressions=impressions, clicks=clicks, conversions=clicks // 20))
    DailyMetric.objects.bulk_create(batch, batch_size=5000)
    return {"since": since.isoformat(), "until": until.isoformat()}


def seed(campaigns: int, days: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bizcenter.accounts.models import User
    from bizcenter.accounts.tokens import create_token
    from bizcenter.centers.services import create_center
    from bizcenter.core.actor import Actor

    call_command("migrate", verbosity=0)
    rng = random.Random(9)
    # Verified, as an account must be to create a Business Center.
    owner = User.objects.create(email="owner@bench.example", name="Olivia Owner",
                                password=make_password(None),
                                email_verified_at=timezone.now())
    centers = {str(n): seed_center(owner, f"Size{n} Media", n, rng) for n in SIZES}
    big = centers[str(SIZES[0])]
    report = seed_metrics(big["id"], big["asset"], campaigns, days)
    inviting = create_center(Actor(owner, via="bench"), name="Invite Co")
    client = Client()
    client.force_login(owner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "centers": centers, "report": report,
        "invite": {"id": inviting.pk,
                   "token": create_token(Actor(owner, via="bench"), inviting, "bench").secret},
        "cookie": f"{settings.SESSION_COOKIE_NAME}="
                  f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "database": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
    }


def grow(total: int) -> dict:
    """Filler Business Centers up to ``total``, each with three members and an ad account,
    written by the database itself (``generate_series``) from a template row of each table."""
    import django

    django.setup()
    from django.db import connection

    from bizcenter.assets.models import Asset
    from bizcenter.centers.models import BusinessCenter, Membership

    have = BusinessCenter.objects.count()
    todo = total - have
    if todo <= 0:
        return {"centers": have}
    start = time.perf_counter()
    template_center = BusinessCenter.objects.order_by("pk").first()
    template_member = Membership.objects.filter(role="STANDARD").order_by("pk").first()
    template_asset = Asset.objects.order_by("pk").first()
    assert template_center and template_member and template_asset

    def columns(table: str) -> list[str]:
        with connection.cursor() as cursor:
            return [c.name for c in connection.introspection.get_table_description(cursor, table)
                    if c.name != "id"]

    def copy(table: str, template_id: int, replace: dict[str, str], source: str,
             where: str = "") -> None:
        cols = columns(table)
        chosen = ", ".join(replace.get(c, f"t.{c}") for c in cols)
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {chosen} "  # noqa: S608
               f"FROM {table} t, {source} WHERE t.id = %s {where}")
        with connection.cursor() as cursor:
            cursor.execute(sql, [template_id])

    series = f"generate_series({have + 1}, {total}) AS g"
    copy(BusinessCenter._meta.db_table, template_center.pk,
         {"name": "'Filler ' || g"}, series)
    user_table = template_member.user._meta.db_table
    copy(user_table, template_member.user_id,
         {"email": "'filler' || g || '.' || k || '@scale.example'", "phone": "NULL",
          "name": "'Filler ' || g"},
         f"{series}, generate_series(1, 3) AS k")
    centers, members, assets = (BusinessCenter._meta.db_table, Membership._meta.db_table,
                                Asset._meta.db_table)
    fillers = "AND c.name LIKE 'Filler %%' AND c.id NOT IN (SELECT center_id FROM {})"
    copy(members, template_member.pk, {"center_id": "c.id", "user_id": "u.id"},
         f"{centers} c JOIN {user_table} u ON u.name = c.name", fillers.format(members))
    copy(assets, template_asset.pk, {"center_id": "c.id", "name": "c.name"},
         f"{centers} c", fillers.format(assets))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"centers": BusinessCenter.objects.count(),
            "memberships": Membership.objects.count(), "seconds": time.perf_counter() - start}


# --------------------------------------------------------------------------- load

@dataclass
class Target:
    key: str
    label: str
    port: int
    request: Callable[[], bytes]
    expect: int = 200


def get(path: str, port: int, headers: str = "") -> Callable[[], bytes]:
    raw = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}"
           "Accept: */*\r\n\r\n").encode()
    return lambda: raw


def post_invitation(center_id: int, token: str, port: int) -> Callable[[], bytes]:
    counter = iter(range(10**9))
    stamp = f"{os.getpid()}x{int(time.time())}"

    def make() -> bytes:
        body = json.dumps({"addresses": [f"load{next(counter)}.{stamp}@invitee.example"],
                           "role": "STANDARD", "modules": ["ANALYTICS"],
                           "kind": "agency"}).encode()
        return (f"POST /api/v1/centers/{center_id}/invitations HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
    return make


async def one(port: int, raw: bytes,
              conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None
              ) -> tuple[int, tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]:
    """One request; returns its status and the connection if the server keeps it open."""
    if conn is None:
        conn = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = conn
    writer.write(raw)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length, close, chunked = None, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value == b"close"
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
    if chunked:
        while size := int((await reader.readline()).strip().split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    if close:
        writer.close()
        return status, None
    return status, conn


async def burst(target: Target, seconds: float, concurrency: int
                ) -> tuple[list[float], int, float]:
    """``concurrency`` clients, each sending its next request when the last is answered."""
    times: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        conn = None
        while time.perf_counter() < deadline:
            raw = target.request()
            t0 = time.perf_counter()
            try:
                status, conn = await one(target.port, raw, conn)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                errors += 1
                conn = None
                continue
            times.append(time.perf_counter() - t0)
            if status != target.expect:
                errors += 1
        if conn is not None:
            conn[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return times, errors, time.perf_counter() - started


def measure(targets: list[Target], seconds: float, rounds: int, concurrency: int
            ) -> dict[str, dict]:
    """Rounds of one burst per target; the figures of all rounds together."""
    times: dict[str, list[float]] = {t.key: [] for t in targets}
    errors = dict.fromkeys(times, 0)
    spent = dict.fromkeys(times, 0.0)
    for t in targets:  # warm every worker's caches and imports, untimed
        asyncio.run(burst(t, min(0.5, seconds), concurrency))
    cpu = {k: dict.fromkeys(cputime.KINDS, 0.0) for k in times}
    for _ in range(rounds):
        for t in targets:
            before = cputime.sample()
            got, bad, elapsed = asyncio.run(burst(t, seconds, concurrency))
            after = cputime.sample()
            times[t.key] += got
            errors[t.key] += bad
            spent[t.key] += elapsed
            for kind, used in cputime.spent(before, after).items():
                cpu[t.key][kind] += used
    return {k: {"rps": len(v) / spent[k], "n": len(v), "errors": errors[k], **spread(v),
                "cpu": cputime.per_request(cpu[k], len(v))}
            for k, v in times.items()}


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DEBUG", "BIZCENTER_ACCESS_LOG")}
    env.update(DJANGO_SETTINGS_MODULE="bizcenter.settings", BIZCENTER_DATA_DIR=data_dir,
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
               # The load is not what the limits are for: nothing may be refused.
               BIZCENTER_API_RATE="1000000000", BIZCENTER_INVITE_RATE="1000000000",
               BIZCENTER_MAX_MEMBERS="100000000",
               BIZCENTER_INVITE_DAILY_CAP="100000000")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def script(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True,
        check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """``bizcenter serve`` in its own process group, stopped with the group."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "bizcenter", "serve", "--port", str(self.port),
             "--workers", str(workers), "--no-background"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=ROOT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.port}/ping", timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"the server did not start; see {log}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def targets_for(made: dict, port: int, size: str, *, full: bool, prefix: str = ""
                ) -> list[Target]:
    c = made["centers"][size]
    cid = c["id"]

    def bearer(token: str) -> str:
        return f"Authorization: Bearer {token}\r\n"

    check = (f"/api/v1/centers/{cid}/access/check?action=report.view"
             f"&resource=asset:{c['asset']}")
    ping = Target(f"{prefix}ping", "floor: GET /ping (same server and middleware, no SQL)",
                  port, get("/ping", port))
    found = [
        Target(f"{prefix}check@{size}", "access check (API)", port,
               get(check, port, bearer(c["checker_token"]))),
        Target(f"{prefix}page@{size}", "members list page (web, session)", port,
               get(f"/c/{cid}/partners/", port, f"Cookie: {made['cookie']}\r\n")),
        Target(f"{prefix}api@{size}", "members API page", port,
               get(f"/api/v1/centers/{cid}/members", port, bearer(c["owner_token"]))),
    ]
    if not full:
        return found
    r = made["report"]
    return [
        ping,
        Target("healthz", "GET /healthz (one SELECT 1)", port, get("/healthz", port)),
        *found,
        Target("invite", "invitation (API POST, a new address each)", port,
               post_invitation(made["invite"]["id"], made["invite"]["token"], port), 201),
        Target("report", "report, a year by month (API)", port,
               get(f"/api/v1/centers/{cid}/reports?since={r['since']}&until={r['until']}"
                   "&group=month", port, bearer(c["owner_token"]))),
    ]


class Site:
    """A seeded data folder and database with ``bizcenter serve`` on it."""

    def __init__(self, database_url: str | None, args: argparse.Namespace, log: Path) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="bizcenter-bench-http-")
        self.env = child_env(self.folder.name, database_url)
        t0 = time.perf_counter()
        self.made = script(self.env, "--seed", "--campaigns", str(args.campaigns), "--days",
                           str(args.days))
        self.name = self.made["database"]
        self.centers = len(self.made["centers"]) + 1
        print(f"  {self.name}: seeded in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        self.log = log
        self.server: Server | None = None
        self.local: Server | None = None  # the same, through PostgreSQL's Unix socket

    def grow(self, total: int) -> None:
        grown = script(self.env, "--grow", str(total))
        self.centers = grown["centers"]
        print(f"  {self.name}: grown to {grown}", file=sys.stderr)

    def serve(self, workers: int) -> int:
        self.server = Server(self.env, workers, self.log)
        return self.server.port

    def close(self) -> None:
        for server in (self.server, self.local):
            if server is not None:
                server.stop()
        self.folder.cleanup()


def on_database(database_url: str | None, args: argparse.Namespace, log_dir: Path) -> dict:
    """The main figures; with --scale on PostgreSQL, the scale curve too: one more
    database per size, each with its own server, all measured in the same rounds so the
    machine's load falls on every size alike."""
    sites: list[Site] = []
    extra: list[tuple[str, str]] = []
    try:
        main = Site(database_url, args, log_dir / "serve-main.log")
        sites.append(main)
        port = main.serve(args.workers)
        big = str(SIZES[0])
        targets = targets_for(main.made, port, big, full=True)
        if local := over_unix_socket(database_url) if database_url else None:
            # A second server on the same database through the server's Unix socket,
            # measured in the same rounds: the choice an operator has when the app and
            # the database share a machine (DEPLOY.md).
            try:
                main.local = Server({**main.env, "DATABASE_URL": local}, args.workers,
                                    log_dir / "serve-socket.log")
            except RuntimeError as exc:  # e.g. the socket asks for another user (peer)
                print(f"  not measured through the Unix socket: {exc}", file=sys.stderr)
        if main.local:
            # The floor, /healthz and the check, each burst right after its TCP twin's.
            for at, target in zip((1, 3, 5), targets_for(main.made, main.local.port, big,
                                                          full=True)[:3], strict=True):
                target.key = f"socket|{target.key}"
                targets.insert(at, target)
        figures = measure(targets, args.seconds, args.rounds, args.concurrency)
        result: dict = {"database": main.name, "scale": {}, "main": {
            k: v for k, v in figures.items() if not k.startswith("socket|")}, "socket": {
            k.removeprefix("socket|"): v for k, v in figures.items() if k.startswith("socket|")}}
        if not args.scale or database_url is None:
            return result
        for total in SCALE_CENTERS:
            made = postgres_database(database_url, f"http{total}")
            if made is None:
                continue
            extra.append((made[0], made[2]))
            site = Site(made[1], args, log_dir / f"serve-{total}.log")
            sites.append(site)
            site.grow(total)
            site.serve(args.workers)
        targets = []
        for site in sites:
            assert site.server is not None
            prefix = f"{site.centers:,}|"
            targets += [targets_for(site.made, site.server.port, big, full=True)[0]]
            targets[-1].key = prefix + "ping"
            for size in map(str, SIZES):
                targets += targets_for(site.made, site.server.port, size, full=False,
                                       prefix=prefix)
        flat = measure(targets, args.scale_seconds, args.scale_rounds, args.concurrency)
        for key, figures in flat.items():
            step, _, what = key.partition("|")
            result["scale"].setdefault(step, {})[what] = figures
        return result
    finally:
        for site in sites:
            site.close()
        for name, admin_url in extra:
            drop(name, admin_url)


# --------------------------------------------------------------------------- report

# The main figures' keys (targets_for) and how the tables name them.
ENDPOINTS = (("ping", "floor: GET /ping (same stack, no SQL)"), ("healthz", "GET /healthz"),
             ("check@4000", "access check (API)"), ("page@4000", "members list page (web)"),
             ("api@4000", "members API page"), ("invite", "invitation (API POST)"),
             ("report", "report, a year by month (API)"))

def cell(f: dict) -> str:
    shown = f"{f['rps']:,.0f} req/s, p50 {f['p50']:.1f} / p99 {f['p99']:.1f} ms"
    return shown + (f" ({f['errors']} errors!)" if f["errors"] else "")


def table(runs: list[dict], args: argparse.Namespace) -> str:
    lines = [f"HTTP, `bizcenter serve --workers {args.workers}`, {args.concurrency} "
             f"connections, {args.rounds} x {args.seconds:g} s per line "
             f"(4,000 members; report over {args.campaigns} campaigns x {args.days} days; "
             f"cache: {'Redis' if os.environ.get('REDIS_URL') else 'in-process memory'})", "",
             "| endpoint | " + " | ".join(f"{r['database']} | vs floor" for r in runs) + " |",
             "|---|" + "---:|---:|" * len(runs)]
    for key, label in ENDPOINTS:
        row = [label]
        for r in runs:
            f, floor = r["main"][key], r["main"]["ping"]
            row += [cell(f), f"{f['rps'] / floor['rps']:.0%} of its req/s"]
        lines.append("| " + " | ".join(row) + " |")
    if cputime.available():
        lines += ["", "CPU per request, µs of user and system time (bench/cputime.py): the "
                      "app's processes, the database server's (a PostgreSQL of this machine), "
                      "the load generator's, and the whole machine's busy time", "",
                  "| endpoint | " + " | ".join(f"{r['database']}: app | database | load | machine"
                                             for r in runs) + " |",
                  "|---|" + "---:|---:|---:|---:|" * len(runs)]
        for key, label in ENDPOINTS:
            lines.append(f"| {label} | " + " | ".join(
                " | ".join(f"{r['main'][key]['cpu'][kind]:,.0f}" for kind in cputime.KINDS)
                for r in runs) + " |")
    for r in runs:
        if not r.get("socket"):
            continue
        lines += ["", f"{r['database']} over its Unix socket instead of TCP: a second "
                      "server on the same database, measured in the same rounds", "",
                  "| endpoint | over TCP | vs floor | over the Unix socket | vs floor |",
                  "|---|---:|---:|---:|---:|"]
        for key, label in ENDPOINTS[:3]:
            row = [label]
            for figures in (r["main"], r["socket"]):
                row += [cell(figures[key]), f"{figures[key]['rps'] / figures['ping']['rps']:.0%}"
                        " of its req/s"]
            lines.append("| " + " | ".join(row) + " |")
    for r in runs:
        if not r["scale"]:
            continue
        steps = list(r["scale"])
        lines += ["", f"Scale curve on {r['database']}: req/s and p99 by members in the "
                      "Business Center (rows) and Business Centers in the database (columns)", "",
                  "| endpoint, members | " + " | ".join(f"{s} centers" for s in steps)
                  + " | last / first |", "|---|" + "---:|" * (len(steps) + 1)]
        for key, label in [("ping", "floor: /ping"), *(
                (f"{kind}@{n}", f"{name}, {n:,}") for kind, name in
                (("check", "access check"), ("page", "members page"), ("api", "members API"))
                for n in sorted(SIZES))]:
            figures = [r["scale"][s][key] for s in steps]
            lines.append(f"| {label} | " + " | ".join(
                f"{f['rps']:,.0f} /s, p99 {f['p99']:.1f} ms"
                + (f" ({f['errors']} err)" if f["errors"] else "") for f in figures)
                + f" | {figures[-1]['rps'] / figures[0]['rps']:.0%} |")
    return "\n".join(lines)


def load_options(parser: argparse.ArgumentParser, *, seconds: float, rounds: int,
                 campaigns: int) -> None:
    """What Site, Server and measure() read from the command line, with a script's
    own defaults (bench/versus.py uses them too)."""
    parser.add_argument("--seconds", type=float, default=seconds, help=f"per burst ({seconds:g})")
    parser.add_argument("--rounds", type=int, default=rounds,
                        help=f"bursts per endpoint ({rounds})")
    parser.add_argument("--concurrency", type=int, default=2, help="connections (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--campaigns", type=int, default=campaigns,
                        help=f"campaigns in the report ({campaigns})")
    parser.add_argument("--days", type=int, default=365, help="days of metrics (365)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load_options(parser, seconds=2.0, rounds=3, campaigns=100)
    parser.add_argument("--scale", action="store_true", help="the scale curve (PostgreSQL)")
    parser.add_argument("--scale-seconds", type=float, default=1.0, help="per burst (1)")
    parser.add_argument("--scale-rounds", type=int, default=2, help="bursts (2)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(json.dumps(seed(args.campaigns, args.days)))
        return
    if args.grow:
        print(json.dumps(grow(args.grow)))
        return

    started = time.perf_counter()
    print(f"bench/http_load.py: {args.workers} workers, {args.concurrency} connections",
          file=sys.stderr)
    log_dir = Path(tempfile.mkdtemp(prefix="bizcenter-bench-http-logs-"))
    runs = []
    if not args.skip_sqlite:
        print("  SQLite ...", file=sys.stderr)
        runs.append(on_database(None, args, log_dir))
    if (url := os.environ.get("DATABASE_URL")) and (pg := postgres_database(url, "http")):
        name, bench_url, admin_url = pg
        print(f"  PostgreSQL ({name}) ...", file=sys.stderr)
        try:
            runs.append(on_database(bench_url, args, log_dir))
        finally:
            drop(name, admin_url)
    if not runs:
        sys.exit("no database could be measured")
    print(table(runs, args))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    errors = sum(f["errors"] for r in runs for f in r["main"].values())
    errors += sum(f["errors"] for r in runs for step in r["scale"].values()
                  for f in step.values())
    if errors:
        kept = f"; {errors} errors: see the server logs in {log_dir}"
    else:
        kept = ""
        shutil.rmtree(log_dir, ignore_errors=True)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s; load average at the end {load} "
          f"on {os.cpu_count()} CPUs, the load generator included{kept})")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()

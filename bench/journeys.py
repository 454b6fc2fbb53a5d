"""The main journeys of the web app, walked in Chromium as people walk them: how many
pages load and how many clicks each takes, and how long it lasts.

    .venv/bin/python bench/journeys.py                 # this tree
    .venv/bin/python bench/journeys.py --against REV   # and another commit, side by side

Each tree serves its own fresh ``bizcenter serve --demo`` (SQLite, a new data folder)
and a real Chromium (Debian's, /usr/bin/chromium) walks, from the page after logging in:

- invite 3 people: the Admin adds three addresses with the Campaigns module and one
  ad account, and reads what happened to each;
- accept: one invitee opens the link in the delivered email, creates the account the
  invitation asks for and joins;
- edit access: the Admin gives an existing member the Campaigns module;
- approve a change: the Admin finds the change Maria proposed and approves it.

A page load is a navigation of the top frame (a form's POST and its redirect count
once each, as a person waits for each); a click is a click or a key press that acts
(Enter in a form); typing into a field is counted apart, as fields filled. The steps
find things by the words on the screen (labels, link and button names), the way a
person does, so the same script walks both trees where their words agree; where a
tree differs (a searchable picker instead of one select per asset), the step says
which it found.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-passphrase-2026"
ADMIN = "admin@demo-brand.example"
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Count:
    loads: int = 0
    clicks: int = 0
    fields: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class Walker:
    """A page and the counts of the journey under way."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base, self.count = page, base, Count()
        self.data_dir = Path()
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.count.loads += 1

    def start(self) -> None:
        self.count = Count()
        self._began = time.perf_counter()

    def stop(self) -> Count:
        self.count.seconds = time.perf_counter() - self._began
        return self.count

    def click(self, locator) -> None:
        self.count.clicks += 1
        locator.click()
        self.page.wait_for_load_state()

    def fill(self, locator, text: str) -> None:
        self.count.fields += 1
        locator.fill(text)

    def choose(self, locator, value: str) -> None:
        self.count.fields += 1
        locator.select_option(label=value)

    def link(self, name: str) -> None:
        self.click(self.page.get_by_role("link", name=name, exact=True).first)

    def button(self, name: str) -> None:
        self.click(self.page.get_by_role("button", name=name, exact=True).first)


def log_in(w: Walker, who: str) -> None:
    w.page.goto(w.base + "/login/")
    w.page.get_by_label("Email or phone").fill(who)
    w.page.get_by_label("Password").fill(PASSWORD)
    w.page.get_by_role("button", name="Log in").click()
    w.page.wait_for_load_state()


def into_center(w: Walker) -> None:
    """From wherever logging in landed to the brand's Business Center."""
    if "/c/" not in w.page.url:
        w.link("Demo Brand") if w.page.get_by_role("link", name="Demo Brand",
                                                  exact=True).count() else w.page.goto(
            w.base + "/c/1/")


def invite_three(w: Walker) -> None:
    into_center(w)
    w.link("Partners")
    w.link("Add Partners")
    w.fill(w.page.get_by_label("Email addresses or phone numbers"),
           "ana@journey.example\nben@journey.example\ncleo@journey.example")
    w.count.clicks += 1
    w.page.get_by_label("Campaigns", exact=True).check()
    pick_ad_account(w, "Demo Brand UK")
    w.button("Send Invite")
    w.page.get_by_text("ana@journey.example").first.wait_for()


def pick_ad_account(w: Walker, name: str) -> None:
    """One select per asset (labelled "Ad account <name>"), or a searchable picker."""
    per_asset = w.page.get_by_label(f"Ad account {name}", exact=True)
    if per_asset.count():
        options = per_asset.locator("option").all_inner_texts()
        w.choose(per_asset, next(o for o in options if o.strip() and o.strip() != "—"))
        w.count.notes.append("asset: one select per asset")
        return
    search = w.page.get_by_role("searchbox").first
    w.fill(search, name)
    w.page.keyboard.press("Enter")
    w.count.clicks += 1
    w.page.wait_for_load_state()
    w.click(w.page.get_by_label(re.compile(re.escape(name))).first)
    w.count.notes.append("asset: searchable picker")


def accept(w: Walker, link: str, address: str) -> None:
    w.page.goto(link)
    w.page.wait_for_load_state()
    for name in ("Create an account", "Create your account", "Sign up"):
        if w.page.get_by_role("link", name=re.compile(name, re.I)).count():
            w.click(w.page.get_by_role("link", name=re.compile(name, re.I)).first)
            break
    if w.page.get_by_label("Your name").count():
        w.fill(w.page.get_by_label("Your name"), "Ana Journey")
    w.fill(w.page.get_by_label("Password", exact=True), "a-long-journey-passphrase")
    w.click(w.page.get_by_role("button").filter(
        has_text=re.compile("sign up|create|join|accept", re.I)).first)
    if w.page.get_by_label("Code", exact=True).count():  # the address proven by a code
        w.fill(w.page.get_by_label("Code", exact=True), newest_code(w.data_dir, address))
        w.button("Confirm")
    if w.page.get_by_role("button", name=re.compile("accept|join", re.I)).count():
        w.click(w.page.get_by_role("button", name=re.compile("accept|join", re.I)).first)
    w.page.get_by_text("Demo Brand").first.wait_for()


def edit_access(w: Walker) -> None:
    into_center(w)
    w.link("Partners")
    w.click(w.page.get_by_role("link", name=re.compile("^Edit")).nth(1))
    w.count.clicks += 1
    w.page.get_by_label("Campaigns", exact=True).check()
    for name in ("Save", "Confirm", "Save changes"):
        if w.page.get_by_role("button", name=name, exact=True).count():
            w.button(name)
            break


def approve_change(w: Walker) -> None:
    into_center(w)
    w.link("Campaigns")
    for name in ("Approvals", "Changes waiting for approval", "Waiting for approval"):
        if w.page.get_by_role("link", name=re.compile(name, re.I)).count():
            w.click(w.page.get_by_role("link", name=re.compile(name, re.I)).first)
            break
    if not w.page.get_by_role("button", name="Approve", exact=True).count():
        waiting = w.page.locator("tr").filter(has_text=re.compile("waiting for approval",
                                                                  re.I))
        w.click(waiting.first.get_by_role("link").first)
    w.button("Approve")
    w.page.get_by_text(re.compile("approved", re.I)).first.wait_for()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def newest_in_mail(data_dir: Path, address: str, pattern: str, wait: float = 60) -> str:
    """The first match of ``pattern`` in the newest email to ``address`` holding one,
    once the outbox has delivered it."""
    until = time.monotonic() + wait
    while time.monotonic() < until:
        for path in sorted((data_dir / "outbox" / "email").glob("*"), key=os.path.getmtime,
                           reverse=True):
            for message in path.read_text(errors="replace").split("\n" + "-" * 79):
                if address in message and (found := re.search(pattern, message)):
                    return found.group(0)
        time.sleep(0.2)
    raise RuntimeError(f"no email to {address} matching {pattern} in {data_dir}")


def newest_invite_link(data_dir: Path, address: str) -> str:
    return newest_in_mail(data_dir, address, r"https?://\S+/invite/\S+?/")


def newest_code(data_dir: Path, address: str) -> str:
    return newest_in_mail(data_dir, address, r"(?<![\d/])\d{6}(?![\d/])")


def walk(src: Path | None) -> dict[str, Count]:
    """Serve the demo from ``src`` (another tree's src/) or this tree, and walk it."""
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="bizcenter-journeys-"))
    port = free_port()
    env = {**os.environ, "BIZCENTER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    server = subprocess.Popen(  # noqa: S603 - our own entry point
        [str(Path(sys.executable).parent / "bizcenter"), "serve", "--demo", "--port",
         str(port), "--workers", "1"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Count] = {}
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            admin = Walker(browser.new_page(viewport={"width": 1280, "height": 900}), base)
            log_in(admin, ADMIN)
            journeys: list[tuple[str, Callable[[], None]]] = [
                ("invite 3 people", lambda: invite_three(admin)),
                ("accept an invitation", lambda: accept(
                    invitee, newest_invite_link(data_dir, "ana@journey.example"),
                    "ana@journey.example")),
                ("edit a member's access", lambda: edit_access(admin)),
                ("approve a change", lambda: approve_change(admin)),
            ]
            invitee = Walker(browser.new_context().new_page(), base)
            invitee.data_dir = data_dir
            for name, journey in journeys:
                walker = invitee if name.startswith("accept") else admin
                walker.start()
                try:
                    journey()
                    results[name] = walker.stop()
                except Exception as error:
                    results[name] = walker.stop()
                    results[name].notes.append(f"did not finish at {walker.page.url}: "
                                               f"{str(error).splitlines()[0][:120]}")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


def checkout(rev: str, into: Path) -> str:
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(into), rev],  # noqa: S603, S607
                   cwd=ROOT, check=True)
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=into,  # noqa: S607
                          check=True, capture_output=True, text=True).stdout.strip()


def cell(c: Count) -> str:
    text = f"{c.loads} pages, {c.clicks} clicks, {c.fields} fields, {c.seconds:.1f} s"
    return text + (f" ({'; '.join(c.notes)})" if c.notes else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="another commit, walked the same way")
    args = parser.parse_args()
    mine = walk(None)
    theirs: dict[str, Count] = {}
    other = ""
    if args.against:
        work = Path(tempfile.mkdtemp(prefix="bizcenter-journeys-tree-"))
        try:
            other = checkout(args.against, work / "tree")
            theirs = walk(work / "tree" / "src")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "tree")],  # noqa: S603, S607
                           cwd=ROOT, check=False)
            shutil.rmtree(work, ignore_errors=True)
    head = "| journey | this tree |" + (f" {other} |" if other else "")
    print(head)
    print("|---|---|" + ("---|" if other else ""))
    for name, count in mine.items():
        row = f"| {name} | {cell(count)} |"
        if other:
            row += f" {cell(theirs[name])} |" if name in theirs else " |"
        print(row)


if __name__ == "__main__":
    main()

"""axe-core in the browser tests: the axe.min.js that the pinned
``axe-playwright-python`` package ships (pyproject.toml's dev extras), read from the
installed package, so nothing is downloaded at test time.

The script is evaluated through Playwright rather than added as a <script> tag: the
pages' Content-Security-Policy rightly refuses inline scripts, and the test must not
loosen it to look."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

# What fails a test: violations people with a screen reader or a keyboard cannot get past.
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violation and element, to read in a failing test's message."""
    return [f"{v['impact']} {v['id']}: {v['help']} at {node['target']}"
            for v in violations for node in v["nodes"][:5]]

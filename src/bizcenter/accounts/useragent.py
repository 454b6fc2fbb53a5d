"""A browser's User-Agent read as the words a person recognises: "Chrome on Linux".

Only for showing sessions and sign-in alerts; never for deciding anything. A small
table, not a library: the few families people use cover what a person needs to tell
their own devices apart, and anything else reads as "a browser" rather than a guess.
"""

from __future__ import annotations

import re

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"HeadlessChrome/"), "Chrome"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
    (re.compile(r"^curl/"), "curl"),
    (re.compile(r"python-requests|python-httpx"), "a script"),
)
_SYSTEMS = (
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux|X11"), "Linux"),
)


def describe(user_agent: str) -> str:
    """'Chrome on Linux', 'Safari on iOS', 'Firefox', or 'an unknown browser'."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"a browser on {system}"
    return "an unknown browser"

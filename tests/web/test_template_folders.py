"""The web door's templates live in a folder named after the module (the domain) that
renders them; only the layout pieces every page shares sit at the top
(docs/ARCHITECTURE.md, folder map)."""

from __future__ import annotations

import re
from pathlib import Path

import bizcenter.web

WEB = Path(bizcenter.web.__file__).parent
TEMPLATES = WEB / "templates" / "web"
SHARED = {"base.html", "_form.html", "_field.html", "_pager.html", "csrf.html", "error.html",
          "403.html", "404.html", "500.html"}
NAME = re.compile(r"""["'](web/[\w/]+\.html)["']""")


def test_only_shared_pieces_sit_at_the_top():
    assert {p.name for p in TEMPLATES.glob("*.html")} == SHARED


def test_every_template_named_in_the_web_door_exists():
    sources = [*WEB.glob("*.py"), *TEMPLATES.rglob("*.html")]
    named = {m for src in sources for m in NAME.findall(src.read_text(encoding="utf-8"))}
    assert len(named) > 40
    missing = sorted(n for n in named if not (WEB / "templates" / n).is_file())
    assert not missing, missing

"""The import rules between layers (issue 20), read from the source with ``ast``.

bizcenter has three layers. ``core/`` is plumbing; the domain apps hold models,
services, tasks and messages; the doors (web pages, REST API, compatible API,
CLI) translate requests into service calls. Imports point down only:

- a domain app or ``core/`` never imports a door;
- a door never imports another door.

Every ``import`` and ``from ... import`` counts, at module level or inside a
function, relative or absolute. Modules at the top of the package (settings, the
root URLconf, wsgi, ``__main__``, the demo) wire the layers together and are not
checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bizcenter

PACKAGE = Path(bizcenter.__file__).parent
CORE = "core"
DOMAINS = frozenset({"accounts", "centers", "invitations", "assets", "access", "campaigns",
                     "reporting", "billing", "audit", "outbox", "notifications"})
DOORS = frozenset({"web", "api", "compat", "cli"})

# (importing module, door it imports) that break a rule today and may stay for now.
# The CLI is a client of the REST API (issue 20): it calls it in-process on this
# installation, marked by the API's own environ key, and `serve` runs the API's
# periodic tasks. Any other CLI import of the API (a router's shapes, say) is refused.
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    ("bizcenter.cli.inprocess", "api"),
    ("bizcenter.cli.serve", "api"),
})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every bizcenter module the file at ``path`` names in an import statement."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path),
                      is_package=path.name == "__init__.py")


def imports_in(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every bizcenter module ``source`` (the text of ``module``) imports, anywhere in it."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):  # walk reaches imports inside functions
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            # ``from bizcenter import web`` imports the module bizcenter.web.
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "bizcenter"}


def layer_of(module: str) -> str | None:
    """The app a module belongs to (``web``, ``billing``, ``core``...), or None for the
    top-level wiring modules."""
    parts = module.split(".")
    if len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def violations() -> list[str]:
    found = []
    for module, targets in import_graph().items():
        source = layer_of(module)
        if source is None:
            continue
        for door in sorted({layer_of(t) for t in targets} & DOORS - {source}):
            if (module, door) in ALLOWED:
                continue
            if source in DOMAINS or source == CORE:
                found.append(f"{module} (a {'domain app' if source in DOMAINS else 'core'}) "
                             f"imports the {door} door")
            elif source in DOORS:
                found.append(f"{module} (the {source} door) imports the {door} door")
    return found


def test_domain_apps_and_core_never_import_a_door_and_doors_never_import_each_other():
    assert violations() == [], (
        "Imports point down only: doors -> domain apps -> core (see this module)")


def test_every_allowed_exception_is_still_needed():
    """An exception whose import is gone leaves the list, so it only shrinks."""
    graph = import_graph()
    assert {(module, door) for module, door in ALLOWED
            if door not in {layer_of(t) for t in graph.get(module, set())}} == set()


def test_every_app_has_a_layer():
    """A new app must say where it sits, or the rules above would not see it."""
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert apps - DOMAINS - DOORS - {CORE} == set()


def test_the_reader_sees_every_kind_of_import():
    """The graph is only as good as its reader: module level, inside a function,
    relative, and ``from bizcenter import x``."""
    source = ("from bizcenter.core.errors import ServiceError\n"
              "def f():\n"
              "    from bizcenter import web\n"
              "    import bizcenter.api.main\n"
              "    from .models import Invoice\n"
              "    from ..compat import envelope\n")
    found = imports_in(source, "bizcenter.billing.services")
    assert {"bizcenter.core.errors", "bizcenter.web", "bizcenter.api.main",
            "bizcenter.billing.models", "bizcenter.compat.envelope"} <= found
    assert "bizcenter.billing.models" in imports_in("from .models import X",
                                                    "bizcenter.billing", is_package=True)
    graph = import_graph()
    assert "bizcenter.web.campaigns" in graph["bizcenter.web.urls"]
    assert "bizcenter.web.report_forms" in graph["bizcenter.web.reports"]


def test_a_door_import_from_a_domain_app_is_caught(monkeypatch):
    """The rules fire: a domain app importing the web door, a door importing another."""
    real = imports

    def with_one_more(path: Path) -> set[str]:
        found = real(path)
        if module_name(path) == "bizcenter.billing.services":
            found = found | {"bizcenter.web.forms"}
        if module_name(path) == "bizcenter.compat.envelope":
            found = found | {"bizcenter.api.schemas"}
        return found

    monkeypatch.setitem(globals(), "imports", with_one_more)
    assert violations() == [
        "bizcenter.billing.services (a domain app) imports the web door",
        "bizcenter.compat.envelope (the compat door) imports the api door",
    ]

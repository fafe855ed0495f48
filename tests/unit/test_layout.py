"""The shape of the package: imports point one way and never come back.

The layers are stated once, as import-linter's contract in pyproject.toml, from the top:
commands; the two sides (public, moderation), which never import each other; web, the
request layer both sides share; verbs; prints, mail and search; images and media; models;
core. Here, read from the source with `ast` (nothing is imported): no import cycle at all,
even one Python would happen to resolve at run time; nothing below the views touches the
request; verbs flush and never commit; every package says what it is.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gallery"
REQUEST_BOUND = {"request", "session", "g", "flash", "redirect", "url_for", "abort"}


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package folder."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> dict[str, list[str]]:
    """{module of the package it imports: [names taken from it]}, at any depth of the file
    (a function-level import is an edge too)."""
    is_package = path.name == "__init__.py"
    out: dict[str, list[str]] = {}

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = resolve(alias.name)
                if target:
                    out.setdefault(target, [])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in known:  # `from . import queries`: the submodule itself
                    out.setdefault(submodule, [])
                elif (target := resolve(source)) is not None:
                    out.setdefault(target, []).append(alias.name)
            if node.module and not node.level and node.module.split(".")[0] == "flask":
                out.setdefault(node.module, []).extend(a.name for a in node.names)
    out.pop(name, None)
    return out


def graph(package: Path) -> dict[str, dict[str, list[str]]]:
    known = modules(package)
    return {name: imports(name, path, known) for name, path in known.items()}


def find_cycle(edges: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One import cycle (a list of modules, first = last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, {}):
            if nxt not in edges:
                continue  # outside the package (flask, sqlalchemy...)
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


# The packages below the request layer (pyproject.toml's contract lists them all).
BELOW_THE_VIEWS = ("core", "models", "images", "media", "search", "mail", "prints", "verbs")


def below_the_views(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[1] in BELOW_THE_VIEWS


EDGES = graph(PACKAGE)


def test_no_import_cycle_inside_gallery():
    assert find_cycle(EDGES) is None, " -> ".join(find_cycle(EDGES) or [])


def test_the_cycle_check_finds_a_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "side").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "side" / "__init__.py").write_text("from .views import bp\n")
    (pkg / "side" / "views.py").write_text("from . import helpers\n")
    (pkg / "side" / "helpers.py").write_text("def f():\n    from ..side import bp\n")
    cycle = find_cycle(graph(pkg))
    assert cycle == ["pkg.side", "pkg.side.views", "pkg.side.helpers", "pkg.side"]


def test_the_layers_contract_holds():
    """pyproject.toml states the layers once; import-linter checks every import against them
    (function-level ones too), so a module never reaches a layer above its own."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("module", sorted(m for m in EDGES if below_the_views(m)))
def test_nothing_below_the_views_touches_the_request(module):
    """Models, images, media, search, mail, prints and verbs: no request, session, g or flash."""
    flask_names = {
        n for t, names in EDGES[module].items() if t.split(".")[0] == "flask" for n in names
    }
    assert not flask_names & REQUEST_BOUND, f"{module} uses {sorted(flask_names & REQUEST_BOUND)}"


def _calls(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    ]


@pytest.mark.parametrize(
    "module",
    sorted(
        m
        for m in EDGES
        if m.startswith("gallery.verbs")
        or m in ("gallery.commands.demo.seed", "gallery.commands.demo.posters")
    ),
)
def test_verbs_flush_and_never_commit(module):
    """The request or the CLI command commits once, so two verbs can share a transaction."""
    path = modules(PACKAGE)[module]
    assert _calls(path, "commit") == [] and _calls(path, "rollback") == [], module


@pytest.mark.parametrize(
    "package", sorted(str(p.parent.relative_to(ROOT)) for p in PACKAGE.rglob("__init__.py"))
)
def test_every_package_says_what_it_is(package):
    """The package table of the developers' docs is made from these docstrings."""
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
    assert doc and len(doc.split()) >= 5, f"{package}/__init__.py needs a docstring"

"""The shape of the package: imports point one way and never come back.

Read from the source with `ast` (nothing is imported), so a cycle fails here even where
Python would happen to resolve it at run time. The layers, from the bottom:

- the domain and infrastructure at the top of gallery/ and in gallery/verbs/: no Flask
  request, session, g or flash, and nothing from the request layer or the two sides;
- gallery/web/: the request layer both sides share; it knows neither side;
- gallery/public/ and gallery/moderation/: the two sides, which never import each other.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("web", "public", "moderation"):
        return parts[1]
    return "domain"  # gallery/*.py and gallery/verbs/


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


@pytest.mark.parametrize("module", sorted(m for m in EDGES if layer(m) == "domain" and m != "gallery"))
def test_the_domain_never_reaches_up(module):
    """Models, images, storage, audit, labels, verbs, CLI...: no request, no view."""
    edges = EDGES[module]
    upward = sorted(t for t in edges if t in EDGES and layer(t) != "domain")
    assert upward == [], f"{module} imports {upward}"
    flask_names = {n for t, names in edges.items() if t.split(".")[0] == "flask" for n in names}
    assert not flask_names & REQUEST_BOUND, f"{module} uses {sorted(flask_names & REQUEST_BOUND)}"


def test_the_request_layer_knows_neither_side():
    for module, edges in EDGES.items():
        if layer(module) == "web":
            assert not [t for t in edges if layer(t) in ("public", "moderation") and t in EDGES], module


def test_the_two_sides_never_import_each_other():
    for module, edges in EDGES.items():
        side = layer(module)
        if side in ("public", "moderation"):
            other = "moderation" if side == "public" else "public"
            assert not [t for t in edges if t in EDGES and layer(t) == other], module


def _calls(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    ]


@pytest.mark.parametrize("module", sorted(m for m in EDGES if m.startswith("gallery.verbs")
                                          or m in ("gallery.audit", "gallery.demo")))  # fmt: skip
def test_verbs_flush_and_never_commit(module):
    """The request or the CLI command commits once, so two verbs can share a transaction."""
    path = modules(PACKAGE)[module]
    assert _calls(path, "commit") == [] and _calls(path, "rollback") == [], module


def test_the_readme_names_every_module():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(gallery/[\w/]+\.py)`", section))
    on_disk = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")}
    assert sorted(on_disk - named) == [], "add these to the README's layout section"
    assert sorted(named - on_disk) == [], "the README names modules that are gone"

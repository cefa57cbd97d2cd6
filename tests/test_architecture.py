"""The floor plan holds (issue 12): the public side and the organization side never
import each other, and code outside a wing enters it only through its curated
``__init__``. Read from the source with :mod:`ast`, type-checking imports included.

Tests may import a wing's modules directly, to unit-test their internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WINGS = ("sim.public", "sim.organization")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """Every module ``path`` (the module ``module``, by default its place in the tree)
    imports, absolute, with its line."""
    found = []
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(node.lineno, base)]
            # "from sim.public import spread" names a submodule too
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def wing_of(module: str) -> str | None:
    return next((wing for wing in WINGS if in_package(module, wing)), None)


def is_submodule(name: str, wing: str) -> bool:
    """Whether ``name`` is a real module inside ``wing`` (not a name it exports)."""
    relative = name.removeprefix(wing + ".").split(".")
    folder = ROOT.joinpath(*wing.split("."))
    return (folder / f"{relative[0]}.py").exists() or (folder / relative[0]).is_dir()


@pytest.mark.parametrize("path", sources("sim", "experiments", "viz"), ids=str)
def test_wings_are_entered_only_through_their_package(path: Path) -> None:
    here = module_name(path)
    own = wing_of(here)
    for line, name in imported_modules(path):
        wing = wing_of(name)
        if wing is None or wing == own:
            continue
        assert own is None, f"{path}:{line}: {own} imports {name} (the other wing)"
        assert name == wing or not is_submodule(name, wing), (
            f"{path}:{line}: imports {name}; enter {wing} through its __init__"
        )


@pytest.mark.parametrize("path", sources("sim"), ids=str)
def test_the_model_never_imports_experiments_or_the_dashboard(path: Path) -> None:
    """Data flows one way: ``experiments`` and ``viz`` use ``sim``, never the reverse."""
    for line, name in imported_modules(path):
        assert not in_package(name, "experiments") and not in_package(name, "viz"), (
            f"{path}:{line}: imports {name}"
        )


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The parser finds a cross-wing import, a relative one and a type-checking one."""
    bad = tmp_path / "probe.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from sim.organization.core import OrgCore\nfrom . import spread\n"
    )
    names = [name for _, name in imported_modules(bad, "sim.public.probe")]
    assert "sim.organization.core" in names
    assert "sim.public.spread" in names
    assert wing_of("sim.organization.core") == "sim.organization"
    assert is_submodule("sim.organization.core", "sim.organization")
    assert not is_submodule("sim.organization.OrgCore", "sim.organization")


def import_graph() -> dict[str, set[str]]:
    """Module -> the sim modules it imports (type-checking imports included)."""
    modules = {module_name(p): p for p in sources("sim")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for _, name in imported_modules(path):
            while name and name not in modules:  # "sim.public.Spread" -> "sim.public"
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_in_the_model() -> None:
    """Not even through type-checking imports (issue 12): a package may import its
    modules, and a module its package's siblings, but never back. The docking reference
    (``sim/reference``) is left out: it is one object per agent on purpose, and its
    objects' type hints name each other."""
    graph = import_graph()
    packages = {m for m in graph if (ROOT / m.replace(".", "/") / "__init__.py").exists()}
    model = {
        m: {t for t in targets if not (m in packages and t.startswith(m + "."))}
        for m, targets in graph.items()
        if not in_package(m, "sim.reference")
    }
    assert cycles(model) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]

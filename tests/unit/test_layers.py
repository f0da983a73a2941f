"""The library's layers: no import cycle, and only the adapters touch Checkov."""
from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "kmsguard"
# The Checkov adapters and the base class of checks; the command line runs Checkov itself.
MAY_IMPORT_CHECKOV = {"graph", "check", "cloudformation_adapter", "cli", "workspace", "signing"}
ADAPTERS = {"graph", "check", "cloudformation_adapter"}


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in LIBRARY.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        found[path.stem] = names
    return found


def _library_deps(names: set[str]) -> set[str]:
    return {n.split(".")[1] for n in names if n.startswith("kmsguard.") and (LIBRARY / f"{n.split('.')[1]}.py").exists()}


def test_no_import_cycle():
    graph = {module: _library_deps(names) for module, names in _imports().items()}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in graph.get(module, ()):
            assert state.get(dep) != "open", " -> ".join(path + [dep])
            if dep not in state:
                visit(dep, path + [dep])
        state[module] = "done"

    for module in graph:
        if module not in state:
            visit(module, [module])


def test_only_the_adapters_import_checkov():
    offenders = {m for m, names in _imports().items()
                 if any(n == "checkov" or n.startswith("checkov.") for n in names) and m not in MAY_IMPORT_CHECKOV}
    assert not offenders, f"rules and readers must not import Checkov: {sorted(offenders)}"


def test_rules_and_readers_do_not_import_the_adapters():
    offenders = {m: sorted(_library_deps(names) & ADAPTERS) for m, names in _imports().items()
                 if m not in ADAPTERS | {"cli", "__main__"} and _library_deps(names) & ADAPTERS}
    assert not offenders, f"the model, readers and rules must not depend on Checkov adapters: {offenders}"

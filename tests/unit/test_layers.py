"""The library's layers are its folders; each may import only the layers below it.

    model     the model and its values            imports settings
    readers   sources into the model              imports model, settings
    rules     what the checks judge               imports model, settings
    adapters  the Checkov side of each check      imports model, settings, readers, rules
    fix       `kmsguard fix`: intents into edits  imports model, settings, readers, rules, adapters
    cli       the `kmsguard` command              imports anything; nothing imports it
    custom_checks/*.py                            imports model, settings, rules, adapters

Only the adapters, the fixer, the command and the check files import Checkov. A
failure names the offending import.
"""
from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# A layer may import its own modules and these layers.
MAY_IMPORT = {
    "settings": set(),
    "model": {"settings"},
    "readers": {"model", "settings"},
    "rules": {"model", "settings"},
    "adapters": {"model", "settings", "readers", "rules"},
    "fix": {"model", "settings", "readers", "rules", "adapters"},
    "cli": {"model", "settings", "readers", "rules", "adapters", "fix", "custom_checks"},
    "__main__": {"cli"},
    "custom_checks": {"model", "settings", "rules", "adapters"},
}
IMPORTS_CHECKOV = {"adapters", "fix", "cli", "custom_checks"}  # a check file is a Checkov plug-in; fix runs it


def _imported_names(path: Path) -> list[tuple[int, str]]:
    return _imports_in(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)  # the planted-import tests parse the same sources again
def _imports_in(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def _layer_of_file(root: Path, path: Path) -> str:
    relative = path.relative_to(root)
    if relative.parts[0] == "custom_checks":
        return "custom_checks"
    inner = relative.parts[1:]  # under kmsguard/
    return inner[0] if len(inner) > 1 else inner[0].removesuffix(".py")


def _layer_of_import(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "kmsguard" or len(parts) == 1:
        return None
    return parts[1]


def layer_problems(root: Path) -> list[str]:
    """Every import that crosses the layers the wrong way, as ``file:line imports name (why)``."""
    files = sorted((root / "kmsguard").rglob("*.py")) + sorted((root / "custom_checks").glob("*.py"))
    problems = []
    for path in files:
        layer = _layer_of_file(root, path)
        if layer == "__init__":
            continue
        where = path.relative_to(root)
        seen: set[tuple[int, str]] = set()
        for line, name in _imported_names(path):
            seen.add((line, name))
            if name.split(".")[0] == "checkov" and layer not in IMPORTS_CHECKOV and (line, name.rsplit(".", 1)[0]) not in seen:
                problems.append(f"{where}:{line} imports {name} (only the adapters and the command import Checkov)")
            target = _layer_of_import(name)
            if target is None or target == layer:
                continue
            if target == "cli" and layer != "__main__":
                problems.append(f"{where}:{line} imports {name} (nothing imports the command)")
            elif target not in MAY_IMPORT.get(layer, set()):
                problems.append(f"{where}:{line} imports {name} ({layer} may import only "
                                f"{', '.join(sorted(MAY_IMPORT[layer])) or 'nothing of kmsguard'})")
    return sorted(set(problems))


def test_every_import_respects_the_layers():
    problems = layer_problems(REPO)
    assert not problems, "\n".join(problems)


def test_every_module_is_in_a_layer():
    loose = [p.name for p in (REPO / "kmsguard").glob("*.py") if p.stem not in MAY_IMPORT and p.name != "__init__.py"]
    assert not loose, f"put these in a layer folder: {loose}"


def test_no_import_cycle_between_modules():
    modules = {p: ".".join(p.relative_to(REPO).with_suffix("").parts) for p in (REPO / "kmsguard").rglob("*.py")}
    known = {name.removesuffix(".__init__") for name in modules.values()}
    graph = {modules[p].removesuffix(".__init__"): {n for _, n in _imported_names(p) if n in known}
             for p in modules}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph.get(module, ())):
            if dep.startswith(module + "."):  # a package importing its own submodule
                continue
            assert state.get(dep) != "open", " -> ".join(path + [dep])
            if dep not in state:
                visit(dep, path + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


@pytest.fixture(scope="module")
def layers_copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("layers") / "repo"
    for folder in ("kmsguard", "custom_checks"):
        shutil.copytree(REPO / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert not layer_problems(copy), "the copy must be clean before an import is planted"
    return copy


@pytest.mark.parametrize("layer_file, planted, expected", [
    ("kmsguard/rules/key_classes.py", "from kmsguard.adapters.base_check import KmsguardCheck",
     "rules may import only model, settings"),
    ("kmsguard/model/values.py", "from kmsguard.readers import terraform", "model may import only settings"),
    ("kmsguard/readers/terraform_plan.py", "from kmsguard.rules import s3_encryption",
     "readers may import only model, settings"),
    ("kmsguard/rules/s3_encryption.py", "import checkov.common", "only the adapters and the command import Checkov"),
    ("kmsguard/adapters/base_check.py", "from kmsguard.cli import sarif", "nothing imports the command"),
    ("custom_checks/KMSKeyDeletionWindow.py", "from kmsguard.readers import terraform",
     "custom_checks may import only adapters, model, rules, settings"),
])
def test_a_planted_wrong_import_is_named(layers_copy, layer_file, planted, expected):
    target = layers_copy / layer_file
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{planted}\n", encoding="utf-8")
    try:
        problems = layer_problems(layers_copy)
    finally:
        target.write_text(original, encoding="utf-8")
    assert any(p.startswith(layer_file) and f"imports {planted.split()[1]}" in p and expected in p
               for p in problems), problems

"""Markers for the fast inner loop: ``pytest -m "not e2e"`` runs only in-process tests.

e2e: the test starts a process (checkov, kmsguard, pre-commit, terraform, git).
terraform: it needs the terraform binary. network: it needs the network.
exhaustive: it re-checks, case by case, what the quick loop shares (slow).
tools_only: it exercises only other tools (terraform validate, cfn-lint, a
pre-commit install), so CI runs it under the newest Checkov only.
All four imply e2e. Modules that start processes in every test are marked here,
by name; a module that marks its own tests is left alone. A module that
starts processes but is marked neither way stops the run, so the fast loop
never starts processes by accident.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Offline runs: without this Checkov tries to download guideline mappings.
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")

MODULE_MARKS = {
    "test_checkov_config": ("e2e",),
    "test_cli": ("e2e",),
    "test_plan_dynamic": ("e2e",),
    "test_plan_parity": ("e2e",),
    # Installs the hook's environment from PyPI, with its own (newest) Checkov: the floor run skips it.
    "test_pre_commit": ("e2e", "network", "tools_only"),
    "test_sarif": ("e2e",),
    "test_signing": ("e2e",),
}
IMPLY_E2E = ("terraform", "network", "exhaustive", "tools_only")
_STARTS_PROCESSES = re.compile(r"\bsubprocess\b|\btool_support\b|\bplans\.scan\b|\bplanmaker\b")
_RUNS_TERRAFORM = re.compile(
    r"""\[\s*["']terraform["']\s*,\s*["'](?:init|plan|show|apply|validate|version|-)|which\(\s*["']terraform""")
QUICK_PROPERTY_EXAMPLES = "20"


def pytest_configure(config: pytest.Config) -> None:
    # The quick loop draws fewer property examples; a full run (CI) draws the default.
    if re.search(r"\bnot\s+e2e\b", config.option.markexpr or ""):
        os.environ.setdefault("KMSGUARD_PROPERTY_EXAMPLES", QUICK_PROPERTY_EXAMPLES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    by_module: dict[Path, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(Path(str(item.fspath)), []).append(item)
    unmarked = []
    for path, module_items in by_module.items():
        for mark in MODULE_MARKS.get(path.stem, ()):
            for item in module_items:
                item.add_marker(mark)
        for item in module_items:
            if any(item.get_closest_marker(m) for m in IMPLY_E2E) and not item.get_closest_marker("e2e"):
                item.add_marker("e2e")
        source = path.read_text(encoding="utf-8") if path.suffix == ".py" else ""
        if _RUNS_TERRAFORM.search(source) and not any(i.get_closest_marker("terraform") for i in module_items):
            unmarked.append(f"{path.name} runs terraform: mark its tests 'terraform'")
        elif _STARTS_PROCESSES.search(source) and not any(i.get_closest_marker("e2e") for i in module_items):
            unmarked.append(f"{path.name} starts processes: mark its tests 'e2e' (or list it in conftest.MODULE_MARKS)")
    if unmarked:
        raise pytest.UsageError("\n".join(unmarked))

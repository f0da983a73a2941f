"""The wheel users install: built from this checkout, installed in a fresh virtualenv, run as users run it."""
from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tool_support import REPO, build_wheel, installed_bin, pack_records, run, tool

pytestmark = pytest.mark.e2e
EXAMPLES = REPO / "examples"


def test_wheel_holds_the_library_and_the_checks(tmp_path):
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    checks = {path.name for path in (REPO / "custom_checks").glob("*.py")}
    assert {f"kmsguard/custom_checks/{name}" for name in checks} <= names
    # Every module of every layer folder ships (setup.cfg lists the subpackages by hand).
    library = {path.relative_to(REPO).as_posix() for path in (REPO / "kmsguard").rglob("*.py")}
    assert library <= names, sorted(library - names)
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_commands_come_from_the_installed_wheel_not_the_checkout():
    result = run([tool("kmsguard"), "--pack-dirs"])
    assert result.returncode == 0, result.stderr
    for directory in map(Path, result.stdout.split()):
        assert directory.is_relative_to(installed_bin().parent), directory
        assert not directory.is_relative_to(REPO), directory


@pytest.mark.parametrize("tree", ["good", "bad"])
def test_kmsguard_gives_the_examples_their_expected_results(tree):
    # As in the README: scan the tree with the installed command.
    result = run([tool("kmsguard"), "-d", f"examples/{tree}", "-o", "json"], cwd=REPO)
    assert result.returncode == (1 if tree == "bad" else 0), result.stdout[-2000:] + result.stderr[-3000:]
    got = Counter((r["check_id"], r["resource"], r["check_result"]["result"]) for r in pack_records(result.stdout))
    expected = Counter(
        (row["check_id"], row["resource"], row["result"])
        for row in json.loads((EXAMPLES / tree / "expected.json").read_text())
    )
    assert got == expected, {"missing": sorted((expected - got).elements()), "extra": sorted((got - expected).elements())}

"""The fixer's judgement of a patched copy on the model alone equals Checkov's own rescan of that copy.

``kmsguard fix`` proves a bucket change by judging the patched copy again
(``fix/rejudge.py``) instead of running Checkov over the whole tree a second
time. Here both run on the same patched copies (the fix cases, the seed's
Terraform tree, the registry shapes and a CloudFormation tree) and every
result of the first scan must come out the same: verdict, details and fix
intents.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from kmsguard.fix import plan, rejudge, scan

ROOT = Path(__file__).resolve().parents[1]
TREES = {
    "fix_cases": [ROOT / "tests" / "fix_cases" / case / "before" for case in
                  sorted(os.listdir(ROOT / "tests" / "fix_cases"))],
    "examples_bad": [ROOT / "examples" / "bad"],
    "registry_shapes": [p for p in sorted((ROOT / "tests" / "registry_shapes").iterdir()) if p.is_dir()],
    "cloudformation_bad": [ROOT / "examples" / "cloudformation" / "bad"],
}


def _copy(sources: list[Path], into: Path) -> Path:
    for number, source in enumerate(sources):
        shutil.copytree(source, into / f"{number}_{source.parent.name}_{source.name}", symlinks=True)
    return into


def _results(findings: list[scan.Finding], *bases: Path) -> dict:
    """Results by (check, resource, file relative to the tree or copy that holds it: results that stand keep theirs)."""
    def where(path: str) -> str:
        real = os.path.realpath(path)
        return next(os.path.relpath(real, b) for b in map(os.path.realpath, bases) if real.startswith(b + os.sep))

    return {(f.check_id, f.resource, where(f.file)): (f.result, f.details, tuple(type(i).__name__ for i in f.intents))
            for f in findings}


# The quick loop compares the fix cases; the full run every tree.
@pytest.mark.parametrize("name", [n if n == "fix_cases" else pytest.param(n, marks=pytest.mark.exhaustive)
                                  for n in sorted(TREES)])
def test_rejudged_copy_matches_checkovs_rescan(name: str, tmp_path: Path) -> None:
    tree = _copy(TREES[name], tmp_path / "tree")
    roots: set[str] = set()
    before = scan.run([str(tree)], [], roots=roots)
    result = plan.make_plan(before, str(tree))
    assert result.changes, "the tree has fixes to judge"
    copy = tmp_path / "copy"
    shutil.copytree(tree, copy, symlinks=True)
    for path, (_, new) in result.changes.items():
        (copy / os.path.relpath(path, tree)).write_text(new, encoding="utf-8")

    def inside(path: str) -> str:
        relative = os.path.relpath(os.path.realpath(path), os.path.realpath(tree))
        return path if relative.startswith("..") else str(copy / relative)

    judged = rejudge.rejudge(before, roots, inside, set(result.changes), [],
                             lambda: scan.run([str(copy)], [], frameworks=("cloudformation",)))
    assert judged is not None, "every result's root was recorded by the first scan"
    rescanned = scan.run([str(copy)], [])
    expected = _results(rescanned, copy)
    got = _results(judged, copy, tree)
    old = _results(before, tree)
    assert {k: v for k, v in got.items() if k in old} == {k: v for k, v in expected.items() if k in old}
    changed = [k for k in old if k in expected and expected[k][0] != old[k][0]]
    if name != "cloudformation_bad":
        assert changed, "the patch changes verdicts, so the comparison is not of two untouched scans"


def test_a_pass_it_cannot_place_leaves_the_copy_to_checkov(tmp_path: Path) -> None:
    """A PASSED result without recorded instances, or from a root the scan did not record: no judgement, a rescan."""
    tree = _copy(TREES["fix_cases"][:1], tmp_path / "tree")
    roots: set[str] = set()
    before = scan.run([str(tree)], [], roots=roots)
    passed = next(i for i, f in enumerate(before) if f.result == "PASSED" and f.framework == "terraform")
    changed = {str(next(tree.rglob("*.tf")))}
    not_placed = before[:passed] + [dataclasses.replace(before[passed], instances=())] + before[passed + 1:]
    assert rejudge.rejudge(not_placed, roots, lambda p: p, changed, [], list) is None
    assert rejudge.rejudge(before, set(), lambda p: p, changed, [], list) is None
    assert rejudge.rejudge(before, roots, lambda p: p, changed, [], list) is not None

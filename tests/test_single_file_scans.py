"""Editors scan one saved file at a time: each file must get the verdicts its directory scan gives.

Every Checkov editor plugin runs Checkov on the saved file alone; the VS Code
extension's command line (docs/usage.md) is used here, from the workspace
root, as the extension runs it. Terraform's unit is the directory, so the
pack judges the file inside its module and the roots that call it. A module
file scanned alone names its resources without the module prefix
(``aws_s3_bucket.this`` for ``module.s3.aws_s3_bucket.this``); a resource that
several calls create is FAILED if any call's instance fails.
"""
from __future__ import annotations

import functools
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tool_support import pack_records, run

REPO = Path(__file__).resolve().parent.parent
CHECKOV = str(Path(sys.executable).with_name("checkov"))
TREES = ("good", "bad")
pytestmark = pytest.mark.e2e
_MODULE_PREFIX = re.compile(r'^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)+')

Verdicts = dict[tuple[str, str, str], str]


def _verdicts(records: list[dict], root: Path) -> Verdicts:
    """(check, absolute file, resource without module prefix) -> FAILED if any instance failed."""
    found: Verdicts = {}
    for record in records:
        result = record["check_result"]["result"]
        if result not in ("PASSED", "FAILED"):
            continue
        key = (record["check_id"], str(root) + record["file_path"], _MODULE_PREFIX.sub("", record["resource"]))
        found[key] = "FAILED" if "FAILED" in (result, found.get(key)) else result
    return found


def _checkov(args: list[str]) -> list[dict]:
    proc = run([CHECKOV, *args, "--skip-check", "BC_LIC*", "-o", "json",
                "--external-checks-dir", str(REPO / "custom_checks")], cwd=REPO)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return pack_records(proc.stdout)


@functools.lru_cache(maxsize=None)
def directory_scan(tree: str) -> Verdicts:
    root = REPO / "examples" / tree
    return _verdicts(_checkov(["-d", str(root)]), root)


def _file_scan(path: Path) -> Verdicts:
    # The VS Code extension: checkov -s --repo-id R -f FILE --skip-check BC_LIC* -o json [--external-checks-dir DIR]
    return _verdicts(_checkov(["-s", "--repo-id", "kmsguard/examples", "-f", str(path)]), path.parent)


@pytest.mark.parametrize("tree", TREES)
def test_each_file_scanned_alone_agrees_with_its_directory_scan(tree: str) -> None:
    files = sorted((REPO / "examples" / tree).rglob("*.tf"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        per_file = dict(zip(files, pool.map(_file_scan, files)))
    expected = directory_scan(tree)
    assert expected, "the directory scan reported nothing"
    for path, found in per_file.items():
        wanted = {key: result for key, result in expected.items() if key[1] == str(path)}
        assert found == wanted, (f"{path.relative_to(REPO)}: file scan {sorted(found.items())} "
                                 f"!= directory scan {sorted(wanted.items())}")
    assert set().union(*per_file.values()) == set(expected), "some directory results came from no file scan"

"""CKV2_KMSG_2 prints a statement to add; applied as printed, it must make the role pass.

Each FAILED role of the CKV2_KMSG_2 cases and of examples/bad gets the statements its
details print, added unchanged as an ``aws_iam_role_policy`` (jsonencode of the printed
JSON, which is valid HCL) in a copy of its Terraform root; the copy is scanned again with
the real Checkov and the role must no longer lack what the statement grants. Details are
also checked for what they must never say: Python values, placeholders, repository paths,
and an AccessDenied claim or statement for a bucket whose key cannot be told.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from checkov_run import by_tree, run, scan_once

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (REPO / "tests" / "cases" / "CKV2_KMSG_2").iterdir()
               if p.is_dir() and not p.name.startswith("cfn_"))
BAD_ROOT = Path("infra/envs/dev")  # examples/bad: the roles live in this root, the module beside it
ROLE_FIX = "Add to the role's policy: "


def _statements(details: tuple[str, ...]) -> list[dict]:
    found = []
    for detail in details:
        if ROLE_FIX in detail:
            statement, _ = json.JSONDecoder().raw_decode(detail.split(ROLE_FIX, 1)[1])
            found.append(statement)
    return found


def _fixes(root: Path) -> dict[str, list[dict]]:
    """Role address -> the statements its FAILED result prints."""
    # The committed cases are scanned once for every test module; a changed copy is scanned afresh.
    found = scan_once(root, ["CKV2_KMSG_2"]) if root.is_relative_to(REPO / "tests") else run(root, checks=["CKV2_KMSG_2"])
    return {r.resource: _statements(r.details) for r in found if r.result == "FAILED" and _statements(r.details)}


def _apply(root: Path, fixes: dict[str, list[dict]]) -> None:
    lines = []
    for n, (role, statements) in enumerate(sorted(fixes.items())):
        assert not role.startswith("module."), role  # the test adds policies in the root only
        body = ", ".join(json.dumps(s) for s in statements)  # a JSON object is an HCL object constructor
        lines.append(f'resource "aws_iam_role_policy" "kmsguard_fix_{n}" {{\n  role = {role}.id\n'
                     f'  policy = jsonencode({{ Version = "2012-10-17", Statement = [{body}] }})\n}}\n')
    (root / "kmsguard_fix.tf").write_text("\n".join(lines))


def _still_missing(results, roles: set[str]) -> dict[str, tuple[str, ...]]:
    return {r.resource: r.details for r in results
            if r.resource in roles and any(ROLE_FIX in d or "lacks" in d for d in r.details)}


def _missing_alone(root: Path, roles: set[str]) -> dict[str, tuple[str, ...]]:
    return _still_missing(run(root, checks=["CKV2_KMSG_2"]), roles)


def _case_fixes(case: Path) -> dict[str, list[dict]]:
    fixes = _fixes(case)
    if not fixes:
        pytest.skip("no role statement printed")
    return fixes


def _applied_copy(case: Path, folder: Path, fixes: dict[str, list[dict]]) -> Path:
    copy = folder / case.name
    shutil.copytree(case, copy)
    _apply(copy, fixes)
    return copy


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """Every case with its printed statements applied, in one folder scanned once: case name -> its records."""
    folder = tmp_path_factory.mktemp("applied")
    for case in CASES:
        fixes = _fixes(case)
        if fixes:
            _applied_copy(case, folder, fixes)
    return by_tree(run(folder, checks=["CKV2_KMSG_2"]))


@pytest.mark.exhaustive  # one shared scan of every case's applied statements (3 s): the full run
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_printed_role_statements_pass_when_applied(case: Path, applied: dict[str, list], tmp_path: Path):
    # Scanned beside the other cases a role can only reach more buckets, never fewer: what passes
    # there passes alone (test_applied_alone checks each alone in the full run), so only a role
    # that still lacks something there is scanned again alone before it counts.
    fixes = _case_fixes(case)
    if _still_missing(applied.get(case.name, []), set(fixes)):
        assert not _missing_alone(_applied_copy(case, tmp_path, fixes), set(fixes)), fixes


@pytest.mark.exhaustive
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_applied_alone(case: Path, tmp_path: Path):
    fixes = _case_fixes(case)
    assert not _missing_alone(_applied_copy(case, tmp_path, fixes), set(fixes)), fixes


@pytest.mark.e2e
def test_examples_bad_statements_pass_when_applied(tmp_path: Path):
    tree = tmp_path / "bad"
    shutil.copytree(REPO / "examples" / "bad", tree)
    fixes = _fixes(tree / BAD_ROOT)
    assert {"aws_iam_role.artifact_builder", "aws_iam_role.artifacts_api"} <= set(fixes), fixes
    _apply(tree / BAD_ROOT, fixes)
    assert not _missing_alone(tree / BAD_ROOT, set(fixes)), fixes


def test_no_false_generate_data_key_line_for_a_replication_role():
    details = [d for r in scan_once(CASES[0].parent / "replication_as_documented", ["CKV2_KMSG_2"])
               if r.resource == "aws_iam_role.no_encrypt" for d in r.details]
    assert len(details) == 1 and "kms:Encrypt" in details[0] and "GenerateDataKey" not in details[0], details


_PYTHON_VALUES = re.compile(r"\b(None|True|False)\b|<ARN of|<placeholder|\bdocs/checks/|[\ue000-\uf8ff]")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_details_are_true_words(case: Path):
    for result in scan_once(case, ["CKV2_KMSG_2"]):
        for detail in result.details:
            assert not _PYTHON_VALUES.search(detail.replace("https://github.com/kmsguard/kmsguard/blob/main/docs/checks/",
                                                            "")), (result.resource, detail)
            if "cannot tell which key protects" in detail:
                assert "AccessDenied" not in detail and ROLE_FIX not in detail, (result.resource, detail)

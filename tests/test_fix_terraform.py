"""``kmsguard fix`` on Terraform: each tests/fix_cases/<case>/before tree, fixed, must equal after/ byte for byte.

The expected trees are written by hand from the rules' AWS sources (each
expected.yaml says which), not from what the fixer printed. A fixed tree is
scanned again with every check: each finding the fix claims is PASSED, and
nothing that passed before fails. The cases share one scan: each case is its own
Terraform root, and roles link to buckets only within their root (bucket names
are unique across cases).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from kmsguard.cli import fix_command
from kmsguard.fix import diff, plan, scan, users

CASES = Path(__file__).resolve().parent / "fix_cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())


def _tree(case: str, which: str) -> dict[str, bytes]:
    root = CASES / case / which
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _key(finding: scan.Finding, folder: Path) -> tuple[str, str, str]:
    case = Path(finding.file).relative_to(folder).parts[0]
    return case, finding.check_id, finding.resource


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory):
    """Every case copied, scanned and fixed in one go, then scanned again."""
    folder = tmp_path_factory.mktemp("fix_cases")
    for case in NAMES:
        shutil.copytree(CASES / case / "before", folder / case)
    before, result = users.fix_plan([str(folder)], [], str(folder))
    patch = diff.unified(result.changes, str(folder))
    diff.write(result.changes)
    after = scan.run([str(folder)], [])
    return folder, before, result, patch, after


@pytest.mark.parametrize("case", NAMES)
def test_fixed_tree_is_the_expected_tree(case: str, fixed):
    folder = fixed[0]
    got = {str(p.relative_to(folder / case)): p.read_bytes() for p in sorted((folder / case).rglob("*")) if p.is_file()}
    assert got == _tree(case, "after")


@pytest.mark.parametrize("case", NAMES)
def test_fixed_and_refused_findings_are_as_expected(case: str, fixed):
    folder, before, result, _, after = fixed
    spec = yaml.safe_load((CASES / case / "expected.yaml").read_text())
    claimed = {(c, r) for f in result.fixed for (k, c, r) in [_key(f, folder)] if k == case}
    assert claimed == {(c, r) for c, resources in spec["fixed"].items() for r in resources}
    refused = {(c, r): reason for f, reason in result.refused for (k, c, r) in [_key(f, folder)] if k == case}
    expected = {(c, r): text for c, items in (spec.get("not_fixed") or {}).items() for r, text in items.items()}
    assert set(refused) == set(expected), refused
    for where, text in expected.items():
        assert text in refused[where], (where, refused[where])
    # A finding another fix makes pass is reported as fixed by that change, not as "not fixed".
    passing = {(c, r): how for f, how in result.fixed_by for (k, c, r) in [_key(f, folder)] if k == case}
    expected = {(c, r): text for c, items in (spec.get("fixed_by") or {}).items() for r, text in items.items()}
    assert set(passing) == set(expected), passing
    for where, text in expected.items():
        assert text in passing[where], (where, passing[where])
    outcome = {(c, r): f.result for f in after for (k, c, r) in [_key(f, folder)] if k == case}
    # A fixed finding PASSES, or its rule no longer applies (Bucket Keys on a rule that moved to SSE-S3).
    assert all(outcome.get(where, "PASSED") == "PASSED" for where in claimed), outcome
    assert all(where in outcome or where[0] == "CKV_KMSG_4" for where in claimed), outcome
    passed_before = {(c, r) for f in before if f.result == "PASSED" for (k, c, r) in [_key(f, folder)] if k == case}
    assert all(outcome.get(where) == "PASSED" for where in passed_before), outcome


def test_a_second_run_changes_nothing(fixed):
    _, _, _, patch, after = fixed
    assert patch  # the first run had work to do
    again = plan.make_plan(after)
    assert again.changes == {}


def test_bytes_outside_the_hunks_are_unchanged(fixed):
    # Every removed or added line is in the diff; the lines around them are the original ones.
    folder, _, result, patch, _ = fixed
    for path, (old, new) in result.changes.items():
        removed = [line[1:] for line in patch.splitlines() if line.startswith("-") and not line.startswith("---")]
        kept = [line for line in old.splitlines() if line not in removed]
        assert all(line in new.splitlines() for line in kept), path


def test_details_leave_fixability_to_the_fix_command(fixed):
    # One place decides what is fixed: the planner. A scan's details never promise a fix (the planner may refuse
    # a value computed by an expression, or a file with a contradictory edit); `kmsguard fix`'s summary says it.
    _, before, _, _, _ = fixed
    failed = [f for f in before if f.result == "FAILED"]
    assert failed and not any("kmsguard fix" in d for f in failed for d in f.details)


def test_crlf_line_endings_are_kept(tmp_path: Path):
    (tmp_path / "main.tf").write_bytes(b'resource "aws_kms_key" "k" {\r\n  description = "crlf"\r\n}\r\n')
    result = plan.make_plan(scan.run([str(tmp_path)], []), str(tmp_path))
    diff.write(result.changes)
    assert (tmp_path / "main.tf").read_bytes() == (
        b'resource "aws_kms_key" "k" {\r\n  description         = "crlf"\r\n  enable_key_rotation = true\r\n}\r\n')


def test_the_command_prints_a_diff_and_exits_1_then_writes_and_exits_0(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = false\n}\n')
    monkeypatch.chdir(tmp_path)
    assert fix_command.run(["-d", "."]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("diff --git a/main.tf b/main.tf\n--- a/main.tf\n+++ b/main.tf\n")
    assert "+  enable_key_rotation = true" in out
    assert "1 finding(s) fixed in 1 file(s)" in err
    assert fix_command.run(["-d", ".", "--write"]) == 0
    assert "enable_key_rotation = true" in (tmp_path / "main.tf").read_text()
    assert fix_command.run(["-d", "."]) == 0
    assert capsys.readouterr().out == ""


def test_not_fixable_findings_are_listed_and_do_not_change_the_exit_code(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / "main.tf").write_text('variable "r" {\n  type = bool\n}\n\nresource "aws_kms_key" "k" {\n'
                                      '  enable_key_rotation = var.r\n}\n')
    monkeypatch.chdir(tmp_path)
    assert fix_command.run([]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "not fixed: CKV_KMSG_2 aws_kms_key.k (main.tf): no automatic fix" in err


@pytest.mark.parametrize("args, message", [
    (["-d", "missing"], "directory not found: missing"),
    (["-f", "missing.tf"], "file not found: missing.tf"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fix_command.run(args) == 2
    err = capsys.readouterr().err
    assert err == f"kmsguard: error: {message}\n"


def _one_fix(tmp_path: Path) -> plan.Plan:
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = false\n}\n')
    return plan.make_plan(scan.run([str(tmp_path)], []), str(tmp_path))


def test_a_file_changed_since_the_scan_is_not_written(tmp_path: Path):
    result = _one_fix(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = false # edited\n}\n')
    with pytest.raises(diff.WriteError, match="changed on disk since the scan"):
        diff.write(result.changes)
    assert "# edited" in (tmp_path / "main.tf").read_text()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_file_is_not_written(tmp_path: Path):
    result = _one_fix(tmp_path)
    os.chmod(tmp_path / "main.tf", 0o444)
    with pytest.raises(diff.WriteError, match="read-only"):
        diff.write(result.changes)


def test_a_symlink_out_of_the_tree_is_not_edited(tmp_path: Path):
    outside, tree = tmp_path / "outside", tmp_path / "tree"
    outside.mkdir()
    tree.mkdir()
    (outside / "key.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = false\n}\n')
    (tree / "key.tf").symlink_to(outside / "key.tf")
    result = plan.make_plan(scan.run([str(tree)], []), str(tree))
    assert result.changes == {}
    assert [reason for _, reason in result.refused if "outside" in reason], result.refused


def test_the_summary_reports_a_finding_fixed_by_another_change(fixed):
    # The logging finding has no fix of its own; the log target's move to SSE-S3 makes it pass (migration_new_key).
    folder, _, result, _, _ = fixed
    text = fix_command.summary(result, str(folder))
    assert "fixed: CKV2_KMSG_3 aws_s3_bucket_logging.plain (migration_new_key/main.tf): fixed by the change to " \
           "aws_s3_bucket.logs" in text
    assert "not fixed: CKV2_KMSG_3 aws_s3_bucket_logging.plain" not in text


def test_many_candidate_keys_are_named_up_to_five(tmp_path: Path):
    """A root whose buckets use seven keys: the refusal names five and counts the rest, not all of them."""
    parts = []
    for n in range(7):
        parts.append(f'resource "aws_kms_key" "k{n}" {{\n  enable_key_rotation = true\n}}\n'
                     f'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "cap-{n}"\n}}\n'
                     f'resource "aws_s3_bucket_server_side_encryption_configuration" "b{n}" {{\n'
                     f'  bucket = aws_s3_bucket.b{n}.id\n  rule {{\n    bucket_key_enabled = true\n'
                     f'    apply_server_side_encryption_by_default {{\n      sse_algorithm     = "aws:kms"\n'
                     f'      kms_master_key_id = aws_kms_key.k{n}.arn\n    }}\n  }}\n}}\n')
    parts.append('resource "aws_s3_bucket" "plain" {\n  bucket = "cap-plain"\n}\n')
    (tmp_path / "main.tf").write_text("".join(parts))
    result = plan.make_plan(scan.run([str(tmp_path)], []), str(tmp_path))
    reasons = {f.resource: reason for f, reason in result.refused}
    assert reasons["aws_s3_bucket.plain"].startswith(
        "two or more customer keys encrypt other buckets of this root (aws_kms_key.k0, aws_kms_key.k1, "
        "aws_kms_key.k2, aws_kms_key.k3, aws_kms_key.k4 and 2 more): ")


def test_the_same_address_in_two_roots_gets_its_own_fix(tmp_path: Path):
    """Each root's result carries its own verdict's intents, not those of the same address in another root."""
    for env, body in (("dev", "  enable_key_rotation     = true\n  rotation_period_in_days = 800\n"),
                      ("prod", "  enable_key_rotation = false\n")):
        (tmp_path / env).mkdir()
        (tmp_path / env / "main.tf").write_text(f'resource "aws_kms_key" "k" {{\n{body}}}\n')
    result = plan.make_plan(scan.run([str(tmp_path)], []), str(tmp_path))
    new = {Path(path).parent.name: texts[1] for path, texts in result.changes.items()}
    assert new == {"dev": 'resource "aws_kms_key" "k" {\n  enable_key_rotation     = true\n'
                          '  rotation_period_in_days = 365\n}\n',
                   "prod": 'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n'}

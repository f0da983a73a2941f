"""Values users give Checkov with ``--var-file`` reach the pack's evaluation, as they reach ``terraform plan``."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tool_support import pack_records, run

pytestmark = pytest.mark.e2e
TREE = Path(__file__).resolve().parent / "fixtures" / "var_file"
CHECKOV = str(Path(sys.executable).with_name("checkov"))
CUSTOM_CHECKS = str(Path(__file__).resolve().parent.parent / "custom_checks")


def _verdicts(*extra: str) -> dict[tuple[str, str], str]:
    proc = run([CHECKOV, "-d", str(TREE), *extra, "--framework", "terraform", "-o", "json",
                "--external-checks-dir", CUSTOM_CHECKS, "--check", "CKV_KMSG_*,CKV2_KMSG_*"], cwd=TREE)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return {(r["check_id"], r["resource"]): r["check_result"]["result"] for r in pack_records(proc.stdout)}


def test_without_values_the_variables_are_unknown_and_fail():
    found = _verdicts()
    assert found[("CKV_KMSG_3", "aws_kms_key.k")] == "FAILED"
    assert found[("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.c")] == "FAILED"


def test_var_file_values_are_evaluated(tmp_path):
    # A var file outside the scanned directory, named on the command line as in CI.
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text((TREE / "prod.tfvars.example").read_text())
    found = _verdicts("--var-file", str(var_file))
    assert found == {
        ("CKV_KMSG_2", "aws_kms_key.k"): "PASSED",
        ("CKV_KMSG_3", "aws_kms_key.k"): "PASSED",  # window = 10
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.c"): "PASSED",  # alg = aws:kms
        ("CKV_KMSG_4", "aws_s3_bucket_server_side_encryption_configuration.c"): "PASSED",
        ("CKV2_KMSG_1", "aws_s3_bucket.b"): "PASSED",
    }

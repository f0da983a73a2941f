"""End to end: ``checkov -d examples/cloudformation/<tree>`` as a user runs it, compared exactly with expected.json.

The expected files are written from the rules' semantics (docs/cloudformation.md
maps each resource to its Terraform twin in examples/good and examples/bad,
which must get the same outcome per rule). Every template of the examples and
of the cfn_* rule cases is real CloudFormation: cfn-lint validates it, except
cases marked with cfn-lint-skip.txt, whose point is a value CloudFormation
rejects (and which cfn-lint must then reject).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tool_support import pack_records

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
TREES = REPO / "examples" / "cloudformation"
CHECKOV = Path(sys.executable).with_name("checkov")
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
PRODUCTION = {"KMSGUARD_MIN_DELETION_WINDOW_DAYS": "14"}
CASES = [
    ("good", "good", {}, "good/expected.json"),
    ("good-min14", "good", PRODUCTION, "good/expected.json"),
    ("bad", "bad", {}, "bad/expected.json"),
    ("bad-min14", "bad", PRODUCTION, "bad/expected.min14.json"),
    ("cdk", "cdk", {}, "cdk/expected.json"),
]

# The same bucket, key or role in examples/good|bad (Terraform) and examples/cloudformation: per rule, one outcome.
TWINS = {
    "bad": [
        ("CKV_KMSG_4", "module.s3.aws_s3_bucket_server_side_encryption_configuration.this", "AWS::S3::Bucket.ArtifactsBucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.access_logs", "AWS::S3::Bucket.AccessLogsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.access_logs", "AWS::S3::Bucket.AccessLogsBucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.scratch[0]", "AWS::S3::Bucket.Scratch0Bucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.exports", "AWS::S3::Bucket.ExportsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.uploads", "AWS::S3::Bucket.UploadsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.backups", "AWS::S3::Bucket.BackupsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.reports", "AWS::S3::Bucket.ReportsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.shared", "AWS::S3::Bucket.SharedBucket"),
        ("CKV_KMSG_2", "aws_kms_key.payments", "AWS::KMS::Key.PaymentsKey"),
        ("CKV_KMSG_2", "aws_kms_key.archive", "AWS::KMS::Key.ArchiveKey"),
        ("CKV_KMSG_3", "module.s3.aws_kms_key.this", "AWS::KMS::Key.ArtifactsKey"),
        ("CKV2_KMSG_1", "aws_s3_bucket.archive", "AWS::S3::Bucket.ArchiveBucket"),
        ("CKV2_KMSG_2", "aws_iam_role.artifact_builder", "AWS::IAM::Role.ArtifactBuilderRole"),
        ("CKV2_KMSG_2", "aws_iam_role.payments_exporter", "AWS::IAM::Role.PaymentsExporterRole"),
        ("CKV2_KMSG_2", "aws_iam_role.artifacts_api", "AWS::IAM::Role.ArtifactsApiRole"),
        ("CKV2_KMSG_3", "aws_s3_bucket_logging.reports", "AWS::S3::Bucket.ReportsBucket"),
        ("CKV2_KMSG_3", "aws_s3_bucket_logging.artifacts", "AWS::S3::Bucket.ArtifactsBucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.request_logs", "AWS::S3::Bucket.RequestLogsBucket"),
    ],
    "good": [
        ("CKV2_KMSG_1", "module.s3.aws_s3_bucket.this", "AWS::S3::Bucket.ArtifactsBucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.access_logs", "AWS::S3::Bucket.AccessLogsBucket"),
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.audit", "AWS::S3::Bucket.AuditBucket"),
        ("CKV_KMSG_4", "aws_s3_bucket_server_side_encryption_configuration.build_cache[0]", "AWS::S3::Bucket.BuildCache0Bucket"),
        ("CKV_KMSG_2", "aws_kms_key.data_lake", "AWS::KMS::Key.DataLakeKey"),
        ("CKV_KMSG_3", "aws_kms_key.audit", "AWS::KMS::Key.AuditKey"),
        ("CKV2_KMSG_2", "aws_iam_role.artifact_builder", "AWS::IAM::Role.ArtifactBuilderRole"),
        ("CKV2_KMSG_2", "aws_iam_role.auditor", "AWS::IAM::Role.AuditorRole"),
        ("CKV2_KMSG_2", "aws_iam_role.artifacts_api", "AWS::IAM::Role.ArtifactsApiRole"),
        ("CKV2_KMSG_3", "aws_s3_bucket_logging.reports", "AWS::S3::Bucket.ReportsBucket"),
        ("CKV2_KMSG_3", "aws_s3_bucket_logging.artifacts", "AWS::S3::Bucket.ArtifactsBucket"),
        ("CKV2_KMSG_1", "aws_s3_bucket.request_logs", "AWS::S3::Bucket.RequestLogsBucket"),
    ],
}


@functools.lru_cache(maxsize=None)
def scan(case_id: str) -> list[dict]:
    _, tree, extra_env, _ = next(case for case in CASES if case[0] == case_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KMSGUARD_")}
    env.update(extra_env, BC_SKIP_MAPPING="TRUE")
    command = [str(CHECKOV), "-d", f"examples/cloudformation/{tree}", "--external-checks-dir", "custom_checks", "-o", "json"]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), f"checkov exited {proc.returncode}\n{proc.stderr[-4000:]}"
    return pack_records(proc.stdout)


def _expected(name: str) -> Counter:
    return Counter((r["check_id"], r["resource"], r["result"]) for r in json.loads((TREES / name).read_text()))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_results_match_expected(case):
    case_id, _, _, expected_file = case
    results = scan(case_id)
    actual = Counter((r["check_id"], r["resource"], r["check_result"]["result"]) for r in results)
    expected = _expected(expected_file)
    details = {(r["check_id"], r["resource"]): r.get("details") for r in results}
    missing = sorted((expected - actual).elements())
    extra = sorted((actual - expected).elements())
    assert not missing and not extra, (
        f"missing: {missing}\nextra: {[(e, details.get(e[:2])) for e in extra]}")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_failed_results_explain_why(case):
    empty = [(r["check_id"], r["resource"]) for r in scan(case[0])
             if r["check_result"]["result"] == "FAILED" and not [d for d in r.get("details") or [] if str(d).strip()]]
    assert not empty, f"FAILED without details: {empty}"


@pytest.mark.parametrize("tree", ["good", "bad"])
def test_same_outcome_as_the_terraform_twin(tree):
    terraform = {(r["check_id"], r["resource"]): r["result"]
                 for r in json.loads((REPO / "examples" / tree / "expected.json").read_text())}
    cloudformation = {(c, r): res for c, r, res in _expected(f"{tree}/expected.json")}
    for check_id, terraform_resource, cloudformation_resource in TWINS[tree]:
        assert terraform[(check_id, terraform_resource)] == cloudformation[(check_id, cloudformation_resource)], (
            check_id, terraform_resource, cloudformation_resource)


def _templates() -> list[Path]:
    found = [p for p in TREES.rglob("*") if p.suffix in (".yaml", ".json") and p.name != "expected.json"
             and not p.name.startswith("expected") and ".venv" not in p.parts]
    found += list((REPO / "tests" / "cases").glob("*/cfn_*/template.*"))
    return sorted(found)


@pytest.mark.tools_only
@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(REPO)))
def test_template_is_valid_cloudformation(template: Path):
    assert CFN_LINT.exists(), "cfn-lint is not installed next to this Python (pip install cfn-lint)"
    proc = subprocess.run([str(CFN_LINT), str(template)], capture_output=True, text=True, timeout=300)
    skip = template.parent / "cfn-lint-skip.txt"
    if skip.exists():  # the case's point is a value CloudFormation rejects: cfn-lint must reject it
        assert proc.returncode & 2, f"{template} is marked as rejected ({skip.read_text().strip()}) but cfn-lint accepts it"
        return
    generated = "cdk.out" in template.parts  # CDK writes DependsOn that cfn-lint warns about (W3005)
    assert proc.returncode == 0 or (generated and not proc.returncode & 2), proc.stdout + proc.stderr

"""One module called from two Terraform roots in one scan: each instance is judged on its own."""
from pathlib import Path

from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner

import checkov_run

TREE = Path(__file__).parent / "fixtures" / "two_roots"


def _results():
    checkov_run.ensure_loaded()
    report = checkov_run.one_report(Runner().run(
        root_folder=str(TREE),
        runner_filter=RunnerFilter(framework=["terraform"], checks=["CKV_KMSG_1", "CKV2_KMSG_1", "CKV2_KMSG_2"]),
    ))
    return {
        (r.check_id, r.resource, r.caller_file_path or r.file_path, checkov_run.outcome(r))
        for r in report.passed_checks + report.failed_checks
    }


def test_each_module_instance_and_each_root_is_judged_on_its_own():
    bucket, config = "module.s3.aws_s3_bucket.this", "module.s3.aws_s3_bucket_server_side_encryption_configuration.this"
    assert _results() == {
        # dev calls the module with AES256, prod with aws:kms and the module's key
        ("CKV_KMSG_1", config, "/envs/dev/main.tf", "FAILED"),
        ("CKV2_KMSG_1", bucket, "/envs/dev/main.tf", "FAILED"),
        ("CKV_KMSG_1", config, "/envs/prod/main.tf", "PASSED"),
        ("CKV2_KMSG_1", bucket, "/envs/prod/main.tf", "PASSED"),
        # both roles read their root's bucket; only prod's is SSE-KMS, and its role has no kms:Decrypt
        ("CKV2_KMSG_2", "aws_iam_role.app", "/envs/dev/main.tf", "PASSED"),
        ("CKV2_KMSG_2", "aws_iam_role.app", "/envs/prod/main.tf", "FAILED"),
    }

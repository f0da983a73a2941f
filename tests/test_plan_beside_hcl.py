"""``kmsguard -d .`` on a folder that holds both the HCL and its plan (issue 9 point 9).

Checkov scans the folder twice: the .tf files (terraform) and tfplan.json
(terraform_plan). The decision (docs/plan-scanning.md): they are two views
and both are reported. The plan view never passes what its plan cannot know
(a policy embedding an ARN the plan creates is FAILED "known only after
apply"), and it is never overruled by the HCL beside it, which may not be
the code the plan was made from. What fails in the code fails in both.
"""
from __future__ import annotations

import json
import shutil

import pytest

from plans.scan import AFTER_APPLY, REPO
from tool_support import run, tool

pytestmark = pytest.mark.e2e

FIXTURE = REPO / "tests" / "registry_shapes" / "iam_roles_module_buckets"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    target = tmp_path_factory.mktemp("beside") / "root"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("expected.yaml"))
    return target


def _roles(folder, *extra: str) -> dict:
    proc = run([tool("kmsguard"), "-d", ".", "-o", "json", *extra], cwd=folder)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    reports = json.loads(proc.stdout)
    found = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for key in ("passed_checks", "failed_checks"):
            for r in report["results"][key]:
                if r["check_id"] == "CKV2_KMSG_2":
                    found[(report["check_type"], r["resource"])] = (r["check_result"]["result"], " ".join(r.get("details") or []))
    return found


def test_plan_and_code_are_two_views(folder):
    roles = _roles(folder)
    # The code: reader_ok holds kms:Decrypt on the bucket's key.
    assert roles[("terraform", "aws_iam_role.reader_ok")][0] == "PASSED"
    # The create plan: its policy names a bucket ARN created by the same plan.
    result, details = roles[("terraform_plan", "aws_iam_role.reader_ok")]
    assert result == "FAILED" and AFTER_APPLY in details
    # A role that lacks KMS permissions fails in both views.
    for framework in ("terraform", "terraform_plan"):
        assert roles[(framework, "aws_iam_role.reader_no_kms")][0] == "FAILED"
    assert not [k for k, (result, _) in roles.items() if k[0] == "terraform_plan" and result == "PASSED"]


def test_framework_option_keeps_one_view(folder):
    roles = _roles(folder, "--framework", "terraform")
    assert {framework for framework, _ in roles} == {"terraform"}

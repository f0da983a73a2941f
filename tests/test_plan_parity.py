"""The examples' real plans (tests/plans/make_plans.py), scanned as users scan a plan, give examples/*/expected.json.

expected.json is the HCL expectation, written from the rules. The update plan
(resources that exist: every ARN known) must give exactly it. The create plan
may differ only where it cannot know a value, listed in CREATE_EXCEPTIONS with
the reason; each is FAILED saying "known only after apply", never PASSED.
"""
from __future__ import annotations

import functools
import json

import pytest

from plans.scan import AFTER_APPLY, REPO, hcl_name, scan_plan

PLANS = REPO / "tests" / "plans" / "examples"
TREES = ("good", "bad")
# jsonencode() policies naming the bucket / DSSE key the same plan creates: Terraform knows them only after apply.
NEW_ARN = "IAM policy embeds an ARN created in the same plan"
# make_plans.py defers data.aws_caller_identity offline (no AWS API); a plan run with credentials reads it.
DEFERRED_ACCOUNT = "IAM policy embeds the account ID lookup, which the offline fixture defers to apply"
# The same for a key policy: CKV2_KMSG_3 cannot read the request-logs key's policy in the offline plans.
DEFERRED_KEY_POLICY = "key policy embeds the account ID lookup, which the offline fixture defers to apply"
CREATE_EXCEPTIONS = {
    "good": {("CKV2_KMSG_2", "aws_iam_role.artifact_builder"): NEW_ARN,
             ("CKV2_KMSG_2", "aws_iam_role.auditor"): NEW_ARN,
             ("CKV2_KMSG_2", "aws_iam_role.artifacts_api"): NEW_ARN,
             ("CKV2_KMSG_3", "aws_s3_bucket_logging.reports"): DEFERRED_KEY_POLICY},
    "bad": {},  # its roles fail for reasons the plan knows (no KMS permission; an alias ARN)
}
UPDATE_EXCEPTIONS = {
    "good": {("CKV2_KMSG_2", "aws_iam_role.artifacts_api"): DEFERRED_ACCOUNT,
             ("CKV2_KMSG_3", "aws_s3_bucket_logging.reports"): DEFERRED_KEY_POLICY},
    "bad": {},
}


def expected(tree: str) -> dict:
    records = json.loads((REPO / "examples" / tree / "expected.json").read_text())
    return {(r["check_id"], r["resource"]): r["result"] for r in records}


@functools.lru_cache(maxsize=None)
def planned(tree: str, mode: str, enrich: bool = False) -> dict:
    enrich_from = REPO / "examples" / tree / "infra" / "envs" / "dev" if enrich else None
    names = {resource for _, resource in expected(tree)}
    return {(r["check_id"], hcl_name(r["resource"], names)): r
            for r in scan_plan(PLANS / tree / f"tfplan.{mode}.json", enrich_from)}


@pytest.mark.parametrize("tree", TREES)
def test_update_plan_gives_the_hcl_expectations(tree):
    plan, want = planned(tree, "update"), expected(tree)
    assert set(plan) == set(want), "the plan and the HCL expectations name different (check, resource) pairs"
    differing = {key for key, result in plan.items() if result["result"] != want[key]}
    assert differing == set(UPDATE_EXCEPTIONS[tree]), "differences other than the listed exceptions"
    for key in differing:
        text = " ".join(plan[key]["details"])
        assert plan[key]["result"] == "FAILED" and AFTER_APPLY in text, (key, text)


@pytest.mark.parametrize("tree", TREES)
def test_create_plan_gives_the_hcl_expectations_except_unknown_values(tree):
    plan, want = planned(tree, "create"), expected(tree)
    assert set(plan) == set(want), "the plan and the HCL expectations name different (check, resource) pairs"
    differing = {key for key, result in plan.items() if result["result"] != want[key]}
    assert differing == set(CREATE_EXCEPTIONS[tree]), "differences other than the listed exceptions"
    for key in differing:
        text = " ".join(plan[key]["details"])
        assert plan[key]["result"] == "FAILED" and AFTER_APPLY in text, (key, text)


def test_enrichment_gives_the_python_checks_nothing_more():
    # --repo-root-for-plan-enrichment --deep-analysis merges the HCL into the graph of YAML
    # policies only, after Python checks ran on the plan graph (checkov/terraform/plan_runner.py).
    # If this starts failing, Checkov changed: revisit docs/plan-scanning.md.
    plain = {k: r["result"] for k, r in planned("good", "create").items()}
    assert {k: r["result"] for k, r in planned("good", "create", enrich=True).items()} == plain

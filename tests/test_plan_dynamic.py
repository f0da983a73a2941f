"""A module that builds its encryption with ``dynamic`` blocks, in real plans (tests/plans/make_plans.py).

tests/plans/dynamic/root calls modules/bucket three times: ``data`` (aws:kms with
a CMK the root creates), ``scratch`` (AES256) and ``managed`` (aws:kms with the
key ``data.aws_kms_alias`` looks up for ``alias/aws/s3``). Offline, that lookup
is deferred to apply (make_plans.py), so its key ARN is unknown in both plans.
Expected verdicts come from the rules (docs/checks), not from the pack's output.
"""
from __future__ import annotations

import functools
import json

import pytest

from plans.scan import AFTER_APPLY, REPO, scan_plan, scan_tree

DYNAMIC = REPO / "tests" / "plans" / "dynamic"
CONFIG = "module.{}.aws_s3_bucket_server_side_encryption_configuration.this"
BUCKET = "module.{}.aws_s3_bucket.this"
MODULES = ("data", "scratch", "managed")
# What the rules say about each call when every value is known (CKV_KMSG_4 is not reported for AES256).
RIGHT = {
    "data": {"CKV_KMSG_1": "PASSED", "CKV2_KMSG_1": "PASSED", "CKV_KMSG_4": "PASSED"},  # aws:kms + CMK, bucket key
    "scratch": {"CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED"},  # AES256
    "managed": {"CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED", "CKV_KMSG_4": "PASSED"},  # aws/s3 via a lookup
}
# A rule whose for_each holds a value known only after apply: FAILED on both S3 rules, CKV_KMSG_4 not reported.
UNKNOWN_RULE = {"CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED"}


@functools.lru_cache(maxsize=None)
def hcl() -> dict:
    return {(r["check_id"], r["resource"]): r for r in scan_tree(DYNAMIC / "root")}


@functools.lru_cache(maxsize=None)
def planned(mode: str) -> dict:
    return {(r["check_id"], r["resource"]): r for r in scan_plan(DYNAMIC / f"tfplan.{mode}.json")}


def verdicts(results: dict, module: str) -> dict:
    return {check: r["result"] for (check, resource), r in results.items()
            if resource in (CONFIG.format(module), BUCKET.format(module))}


def details(results: dict, module: str, check: str) -> str:
    resource = (BUCKET if check.startswith("CKV2_") else CONFIG).format(module)
    return " ".join(results[(check, resource)]["details"])


@pytest.mark.parametrize("module", MODULES)
def test_hcl_scan_expands_the_dynamic_blocks(module):
    assert verdicts(hcl(), module) == RIGHT[module]


def test_hcl_scan_follows_the_rule_to_its_key_and_lookup():
    assert "customer-managed key aws_kms_key.data" in details(hcl(), "data", "CKV_KMSG_1")
    assert "AWS-managed key 'alias/aws/s3'" in details(hcl(), "managed", "CKV_KMSG_1")


@pytest.mark.parametrize("module", ("data", "scratch"))
def test_update_plan_gives_the_right_verdicts(module):
    # Existing key: its ARN is known, the rule is expanded, and the value is linked back to the key.
    assert verdicts(planned("update"), module) == RIGHT[module]


def test_update_plan_links_the_rule_to_its_key():
    assert "customer-managed key aws_kms_key.data" in details(planned("update"), "data", "CKV_KMSG_1")


def test_create_plan_cannot_see_a_rule_over_a_new_key():
    # Issue 9 point 9: the plan has after_unknown.rule = true and no rule in after.
    change = next(c["change"] for c in json.loads((DYNAMIC / "tfplan.create.json").read_text())["resource_changes"]
                  if c["address"] == CONFIG.format("data"))
    assert change["after_unknown"]["rule"] is True and "rule" not in change["after"]
    assert verdicts(planned("create"), "data") == UNKNOWN_RULE
    for check in UNKNOWN_RULE:
        text = details(planned("create"), "data", check)
        assert AFTER_APPLY in text and "no default encryption rule" not in text, text


@pytest.mark.parametrize("mode", ("create", "update"))
def test_scratch_fails_for_its_algorithm(mode):
    assert verdicts(planned(mode), "scratch") == RIGHT["scratch"]
    assert "AES256" in details(planned(mode), "scratch", "CKV_KMSG_1")


@pytest.mark.parametrize("mode", ("create", "update"))
def test_deferred_aws_managed_lookup_is_never_passed(mode):
    # The lookup of alias/aws/s3 is read at apply here, so the rule is unknown: FAILED, not PASSED.
    assert verdicts(planned(mode), "managed") == UNKNOWN_RULE
    assert AFTER_APPLY in details(planned(mode), "managed", "CKV_KMSG_1")


def test_key_checks_agree():
    key = {"CKV_KMSG_2": "PASSED", "CKV_KMSG_3": "PASSED"}  # rotation on, 30-day window
    for results in (hcl(), planned("create"), planned("update")):
        assert {c: r["result"] for (c, resource), r in results.items() if resource == "aws_kms_key.data"} == key

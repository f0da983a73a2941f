"""A module that builds its encryption with ``dynamic`` blocks: HCL and plan scans judge the expanded rules.

tests/plans/dynamic/root calls modules/bucket three times. The module builds
``rule`` and ``apply_server_side_encryption_by_default`` with ``dynamic``
blocks over an object input read with ``try()``, as registry modules do.
The HCL scan evaluates them as Terraform does; the plan holds the rules
Terraform expanded. The expected verdicts below come from the rules (docs/checks).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest

from plans.scan import REPO, scan_plan, scan_tree

DYNAMIC = REPO / "tests" / "plans" / "dynamic"
CONFIG = "module.{}.aws_s3_bucket_server_side_encryption_configuration.this"
BUCKET = "module.{}.aws_s3_bucket.this"
MODULES = ("data", "scratch", "managed")

# What the rules say about each call of the module (CKV_KMSG_4 is not reported for AES256 rules).
RIGHT = {
    "data": {"CKV_KMSG_1": "PASSED", "CKV2_KMSG_1": "PASSED", "CKV_KMSG_4": "PASSED"},  # aws:kms + CMK, bucket key
    "scratch": {"CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED"},  # AES256
    "managed": {"CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED", "CKV_KMSG_4": "PASSED"},  # aws/s3 via a lookup
}


def _resource(module: str, check: str) -> str:
    return (BUCKET if check.startswith("CKV2_") else CONFIG).format(module)


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
    return " ".join(results[(check, _resource(module, check))]["details"])


@pytest.mark.parametrize("module", MODULES)
def test_update_plan_gives_the_right_verdicts(module):
    # Existing resources: every value in the expanded rules is known.
    assert verdicts(planned("update"), module) == RIGHT[module]


def test_update_plan_links_the_rule_to_its_key():
    assert "customer-managed key aws_kms_key.data" in details(planned("update"), "data", "CKV_KMSG_1")
    # The plan shows the aws/s3 key as a plain key ARN; only the lookup says it is AWS-managed.
    assert "AWS-managed key 'alias/aws/s3'" in details(planned("update"), "managed", "CKV_KMSG_1")


@pytest.mark.parametrize("module", ("scratch", "managed"))
def test_create_plan_fails_what_must_fail(module):
    assert verdicts(planned("create"), module) == RIGHT[module]


def test_create_plan_cannot_see_a_new_key_inside_a_dynamic_block():
    # The CMK is created by the same plan: its ARN is unknown, and the plan's configuration
    # leaves dynamic blocks out, so nothing says where the value comes from. Never PASSED.
    plan = planned("create")
    assert verdicts(plan, "data") == {**RIGHT["data"], "CKV_KMSG_1": "FAILED", "CKV2_KMSG_1": "FAILED"}
    for check in ("CKV_KMSG_1", "CKV2_KMSG_1"):
        assert "known only after apply" in details(plan, "data", check)


@pytest.mark.parametrize("module", MODULES)
def test_hcl_scan_expands_the_dynamic_blocks(module):
    # Each call judged with its own input, as the update plan judges it.
    assert verdicts(hcl(), module) == RIGHT[module]


def test_hcl_scan_follows_the_rule_to_its_key_and_lookup():
    assert "customer-managed key aws_kms_key.data" in details(hcl(), "data", "CKV_KMSG_1")
    assert "AWS-managed key 'alias/aws/s3'" in details(hcl(), "managed", "CKV_KMSG_1")


def test_key_checks_agree():
    key = {"CKV_KMSG_2": "PASSED", "CKV_KMSG_3": "PASSED"}  # rotation on, 30-day window
    for results in (hcl(), planned("create"), planned("update")):
        assert {c: r["result"] for (c, resource), r in results.items() if resource == "aws_kms_key.data"} == key


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    out = tmp_path_factory.mktemp("dynamic")
    inputs = DYNAMIC / "plan_inputs.json"
    # Its own process: building Checkov's HCL graph in the test process disturbs later Runner scans.
    subprocess.run([sys.executable, str(DYNAMIC.parent / "planmaker.py"), json.loads(inputs.read_text())["root"],
                    str(out), str(inputs)], cwd=REPO, check=True, timeout=300,
                   env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    return out


@pytest.mark.parametrize("mode", ("create", "update"))
def test_fixture_is_current(mode, rebuilt):
    assert json.loads((rebuilt / f"tfplan.{mode}.json").read_text()) == \
        json.loads((DYNAMIC / f"tfplan.{mode}.json").read_text()), (
        f"tests/plans/dynamic/tfplan.{mode}.json is stale: run python tests/plans/planmaker.py "
        "tests/plans/dynamic/root tests/plans/dynamic tests/plans/dynamic/plan_inputs.json")


@pytest.mark.parametrize("mode", ("create", "update"))
def test_fixture_has_expanded_rules_and_no_dynamic_expressions(mode):
    # As `terraform show -json` writes it: the values hold the expanded blocks,
    # the configuration leaves dynamic blocks out (jsonconfig marshalExpressions).
    plan = json.loads((DYNAMIC / f"tfplan.{mode}.json").read_text())
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    calls = plan["configuration"]["root_module"]["module_calls"]
    for module in MODULES:
        rules = changes[CONFIG.format(module)]["after"]["rule"]
        assert len(rules) == 1 and len(rules[0]["apply_server_side_encryption_by_default"]) == 1
        resource = next(r for r in calls[module]["module"]["resources"]
                        if r["address"] == "aws_s3_bucket_server_side_encryption_configuration.this")
        assert set(resource["expressions"]) == {"bucket"}
    assert calls["data"]["expressions"]["encryption"] == {"references": ["aws_kms_key.data.arn", "aws_kms_key.data"]}

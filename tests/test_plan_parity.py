"""A plan (terraform show -json) gets the same pack verdicts as the HCL it came from.

One documented exception (docs/plan-scanning.md): in a plan that creates
resources, an IAM policy that embeds a not-yet-known ARN is itself unknown,
so CKV2_KMSG_2 reports FAILED, saying so and pointing to the HCL scan.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from plans.scan import REPO, scan_plan, scan_tree

PLANS = REPO / "tests" / "plans" / "examples"
TREES = sorted(p.name for p in PLANS.iterdir() if (p / "tfplan.create.json").exists())


@functools.lru_cache(maxsize=None)
def hcl(tree: str) -> dict:
    return {(r["check_id"], r["resource"]): r for r in scan_tree(REPO / "examples" / tree)}


@functools.lru_cache(maxsize=None)
def planned(tree: str, mode: str, enrich: bool = False) -> dict:
    enrich_from = REPO / "examples" / tree / "infra" / "envs" / "dev" if enrich else None
    return {(r["check_id"], r["resource"]): r for r in scan_plan(PLANS / tree / f"tfplan.{mode}.json", enrich_from)}


def verdicts(results: dict) -> set:
    return {(check, resource, r["result"]) for (check, resource), r in results.items()}


@pytest.mark.parametrize("tree", TREES)
def test_update_plan_matches_hcl(tree):
    # Existing resources: every ARN is known, so every rule, CKV2_KMSG_2 included, must agree.
    assert hcl(tree), "the HCL scan reported nothing"
    assert verdicts(planned(tree, "update")) == verdicts(hcl(tree))


@pytest.mark.parametrize("tree", TREES)
def test_create_plan_matches_hcl_except_unknown_policies(tree):
    plan, code = planned(tree, "create"), hcl(tree)
    assert set(plan) == set(code), "the plan and the HCL report different (check, resource) pairs"
    for key, result in plan.items():
        if result["result"] == code[key]["result"]:
            continue
        assert key[0] == "CKV2_KMSG_2", f"{key}: plan {result['result']}, HCL {code[key]['result']}"
        assert result["result"] == "FAILED", f"{key}: an unknown policy must never pass"
        text = " ".join(result["details"])
        assert "known only after apply" in text and "HCL scan" in text, text


@pytest.mark.parametrize("tree", TREES[:1])
def test_enrichment_gives_the_python_checks_nothing_more(tree):
    # --repo-root-for-plan-enrichment --deep-analysis merges the HCL into the graph of YAML
    # policies only, after Python checks ran on the plan graph (checkov/terraform/plan_runner.py).
    # If this starts failing, Checkov changed: revisit docs/plan-scanning.md.
    assert verdicts(planned(tree, "create", enrich=True)) == verdicts(planned(tree, "create"))

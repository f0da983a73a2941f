"""The plan fixtures of tests/plans are terraform's own output, and current.

tests/plans/make_plans.py makes them with terraform and the offline AWS
provider. The structural tests read the committed files only; the currency
test reruns terraform (marked ``terraform``: CI has it).
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from plans.scan import REPO

PLANS = REPO / "tests" / "plans"
FIXTURES = [PLANS / "examples" / "good", PLANS / "examples" / "bad", PLANS / "dynamic"]
ids = [f.name for f in FIXTURES]


def _managed(module: dict) -> set:
    found = {r["address"] for r in module.get("resources", []) if r.get("mode") == "managed"}
    for child in module.get("child_modules", []):
        found |= _managed(child)
    return found


def _load(fixture, mode: str) -> dict:
    return json.loads((fixture / f"tfplan.{mode}.json").read_text())


@pytest.mark.parametrize("fixture", FIXTURES, ids=ids)
def test_create_plan_creates_everything(fixture):
    plan = _load(fixture, "create")
    assert plan["format_version"]
    assert not _managed(plan.get("prior_state", {}).get("values", {}).get("root_module", {}))  # nothing exists yet
    actions = Counter(tuple(c["change"]["actions"]) for c in plan["resource_changes"])
    assert set(actions) <= {("create",), ("read",)}, actions
    changed = {c["address"] for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert _managed(plan["planned_values"]["root_module"]) == changed


@pytest.mark.parametrize("fixture", FIXTURES, ids=ids)
def test_update_plan_changes_existing_resources_in_place(fixture):
    # Made from update.tfstate.json: every resource exists, nothing is created or replaced.
    plan = _load(fixture, "update")
    actions = Counter(tuple(c["change"]["actions"]) for c in plan["resource_changes"])
    assert set(actions) <= {("no-op",), ("update",), ("read",)}, actions
    assert _managed(plan["prior_state"]["values"]["root_module"]) == _managed(plan["planned_values"]["root_module"])
    state = json.loads((fixture / "update.tfstate.json").read_text())
    assert state["version"] == 4


@pytest.mark.parametrize("fixture", FIXTURES, ids=ids)
def test_plans_hold_no_temporary_paths(fixture):
    for mode in ("create", "update"):
        text = (fixture / f"tfplan.{mode}.json").read_text()
        assert "/tmp" not in text and "kmsguard-plans-" not in text


def test_update_plan_knows_the_arns_the_create_plan_does_not():
    create, update = _load(PLANS / "examples" / "good", "create"), _load(PLANS / "examples" / "good", "update")
    unknown = {c["address"]: c["change"]["after_unknown"] for c in create["resource_changes"]}
    after = {c["address"]: c["change"]["after"] for c in update["resource_changes"]}
    assert unknown["module.s3.aws_kms_key.this"]["arn"] is True
    assert after["module.s3.aws_kms_key.this"]["arn"].startswith("arn:aws:kms:eu-west-1:111122223333:key/")
    assert unknown["aws_iam_role_policy.artifact_builder_s3"]["policy"] is True
    assert "arn:aws:s3:::acme-dev-artifacts/*" in after["aws_iam_role_policy.artifact_builder_s3"]["policy"]


@pytest.mark.terraform
@pytest.mark.tools_only  # terraform against the committed plans: Checkov plays no part
def test_fixtures_are_current():
    proc = subprocess.run([sys.executable, str(PLANS / "make_plans.py"), "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]

"""The hand-built plan fixtures still say what their HCL trees say.

They are built by tests/plans/planmaker.py from the trees (Terraform cannot
run here); rebuilding them must give the committed files, and their resource
addresses must be the ones the HCL scan reports.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from plans.scan import REPO

PLANS = REPO / "tests" / "plans" / "examples"
FIXTURES = sorted((p.name, mode) for p in PLANS.iterdir() if (p / "plan_inputs.json").exists()
                  for mode in ("create", "update"))


def _addresses(module: dict) -> set:
    found = {r["address"] for r in module.get("resources", []) if r.get("mode") == "managed"}
    for child in module.get("child_modules", []):
        found |= _addresses(child)
    return found


@pytest.mark.parametrize("tree,mode", FIXTURES)
def test_fixture_is_current(tree, mode, tmp_path):
    inputs = json.loads((PLANS / tree / "plan_inputs.json").read_text())
    # Its own process: building Checkov's HCL graph in the test process disturbs later Runner scans.
    subprocess.run([sys.executable, str(PLANS.parent / "planmaker.py"), inputs["root"], str(tmp_path),
                    str(PLANS / tree / "plan_inputs.json")], cwd=REPO, check=True, timeout=300,
                   env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    rebuilt = json.loads((tmp_path / f"tfplan.{mode}.json").read_text())
    committed = json.loads((PLANS / tree / f"tfplan.{mode}.json").read_text())
    assert rebuilt == committed, (f"tests/plans/examples/{tree}/tfplan.{mode}.json is stale: run "
                                  f"python tests/plans/planmaker.py {inputs['root']} tests/plans/examples/{tree} "
                                  f"tests/plans/examples/{tree}/plan_inputs.json")


@pytest.mark.parametrize("tree,mode", FIXTURES)
def test_fixture_looks_like_terraform_show_json(tree, mode):
    plan = json.loads((PLANS / tree / f"tfplan.{mode}.json").read_text())
    assert plan["format_version"] == "1.2" and plan["terraform_version"]
    planned = _addresses(plan["planned_values"]["root_module"])
    changes = {c["address"] for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert planned == changes
    for change in plan["resource_changes"]:
        after, unknown = change["change"]["after"] or {}, change["change"]["after_unknown"]
        # a value is known (in after) or unknown (in after_unknown), never both
        assert not {k for k, v in unknown.items() if v is True} & set(after), change["address"]
    if mode == "create":
        assert all(c["change"]["actions"] in (["create"], ["read"]) for c in plan["resource_changes"])
    else:
        assert _addresses(plan["prior_state"]["values"]["root_module"]) == planned

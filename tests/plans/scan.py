"""Run the real ``checkov`` on a tree or a plan and keep the pack's results (tests only)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tool_support import pack_records

REPO = Path(__file__).resolve().parents[2]
CHECKOV = Path(sys.executable).with_name("checkov")


def checkov(*arguments: str, framework: str) -> list[dict]:
    """Pack results (check_id, resource, result, details) of one run, for one framework."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KMSGUARD_")}
    env["BC_SKIP_MAPPING"] = "TRUE"
    command = [str(CHECKOV), *arguments, "--external-checks-dir", "custom_checks",
               "--external-checks-dir", "policies", "--framework", framework, "-o", "json"]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), f"checkov exited {proc.returncode}\n{proc.stderr[-3000:]}"
    return [{"check_id": r["check_id"], "resource": r["resource"], "result": r["check_result"]["result"],
             "details": r.get("details") or []} for r in pack_records(proc.stdout)]


def scan_tree(tree: Path) -> list[dict]:
    return checkov("-d", str(tree), framework="terraform")


def scan_plan(plan: Path, enrich_from: Path | None = None) -> list[dict]:
    extra = ["--repo-root-for-plan-enrichment", str(enrich_from), "--deep-analysis"] if enrich_from else []
    return checkov("-f", str(plan), *extra, framework="terraform_plan")

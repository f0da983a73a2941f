"""Run the real ``checkov`` on a tree or a plan and keep the pack's results (tests only)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tool_support import pack_records

REPO = Path(__file__).resolve().parents[2]
CHECKOV = Path(sys.executable).with_name("checkov")
AFTER_APPLY = "known only after apply"


def checkov(*arguments: str, framework: str, env: dict | None = None) -> list[dict]:
    """Pack results (check_id, resource, result, details) of one run, for one framework."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KMSGUARD_")}
    environ.update({k: str(v) for k, v in (env or {}).items()}, BC_SKIP_MAPPING="TRUE")
    command = [str(CHECKOV), *arguments, "--external-checks-dir", "custom_checks",
               "--external-checks-dir", "policies", "--framework", framework, "-o", "json"]
    proc = subprocess.run(command, cwd=REPO, env=environ, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), f"checkov exited {proc.returncode}\n{proc.stderr[-3000:]}"
    return [{"check_id": r["check_id"], "resource": r["resource"], "result": r["check_result"]["result"],
             "details": r.get("details") or []} for r in pack_records(proc.stdout)]


def scan_tree(tree: Path, env: dict | None = None) -> list[dict]:
    return checkov("-d", str(tree), framework="terraform", env=env)


def scan_plan(plan: Path, enrich_from: Path | None = None, env: dict | None = None) -> list[dict]:
    extra = ["--repo-root-for-plan-enrichment", str(enrich_from), "--deep-analysis"] if enrich_from else []
    return checkov("-f", str(plan), *extra, framework="terraform_plan", env=env)


def hcl_name(address: str, names) -> str:
    """The HCL scan's name for a plan address: Checkov names a plan resource by its instance
    address, and an HCL resource without ``[0]`` when it cannot evaluate its count."""
    if address in names:
        return address
    bare = re.sub(r"\[[^\]]*\]", "", address)
    return bare if bare in names else address

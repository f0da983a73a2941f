"""Run the real ``checkov`` on a tree or a plan and keep the pack's results (tests only)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECKOV = Path(sys.executable).with_name("checkov")
PACK_PREFIXES = ("CKV_KMSG_", "CKV2_KMSG_")


def checkov(*arguments: str, framework: str) -> list[dict]:
    """Pack results (check_id, resource, result, details) of one run, for one framework."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KMSGUARD_")}
    env["BC_SKIP_MAPPING"] = "TRUE"
    command = [str(CHECKOV), *arguments, "--external-checks-dir", "custom_checks",
               "--external-checks-dir", "policies", "--framework", framework, "-o", "json"]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), f"checkov exited {proc.returncode}\n{proc.stderr[-3000:]}"
    reports = json.loads(proc.stdout) if proc.stdout.strip().startswith(("{", "[")) else []
    results = []
    for report in reports if isinstance(reports, list) else [reports]:
        section = report.get("results") or {} if isinstance(report, dict) else {}
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for row in section.get(key) or []:
                if str(row.get("check_id", "")).startswith(PACK_PREFIXES):
                    results.append({"check_id": row["check_id"], "resource": row["resource"],
                                    "result": row["check_result"]["result"], "details": row.get("details") or []})
    return results


def scan_tree(tree: Path) -> list[dict]:
    return checkov("-d", str(tree), framework="terraform")


def scan_plan(plan: Path, enrich_from: Path | None = None) -> list[dict]:
    extra = ["--repo-root-for-plan-enrichment", str(enrich_from), "--deep-analysis"] if enrich_from else []
    return checkov("-f", str(plan), *extra, framework="terraform_plan")


if __name__ == "__main__":  # python tests/plans/scan.py TREE PLAN: print both result sets side by side
    tree, plan = Path(sys.argv[1]), Path(sys.argv[2])
    hcl = {(r["check_id"], r["resource"]): r for r in scan_tree(tree)}
    planned = {(r["check_id"], r["resource"]): r for r in scan_plan(plan, Path(sys.argv[3]) if len(sys.argv) > 3 else None)}
    for key in sorted(set(hcl) | set(planned)):
        h, p = hcl.get(key, {}).get("result"), planned.get(key, {}).get("result")
        mark = "  " if h == p else "!!"
        print(mark, key[0], key[1], h, p, "" if h == p else planned.get(key, {}).get("details"), "" if h == p else hcl.get(key, {}).get("details"))

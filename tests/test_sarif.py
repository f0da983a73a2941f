"""SARIF for code-scanning annotations: every pack failure carries its rule ID, file and line."""
from __future__ import annotations

import json
import shlex
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tool_support import BAD_FAILURES, BAD_TF, PACK_FILTER, REPO, run, tool, write_tree

EXAMPLE_BAD = REPO / "examples" / "bad"
CI_DOCS = REPO / "docs" / "ci"


def documented_scans() -> dict[str, list[str]]:
    """The kmsguard command line of each CI example, exactly as a user pastes it."""
    github = yaml.safe_load((CI_DOCS / "github-actions.yml").read_text())
    gitlab = yaml.safe_load((CI_DOCS / "gitlab-ci.yml").read_text())
    lines = {
        "github": [step["run"] for step in github["jobs"]["kmsguard"]["steps"] if "run" in step],
        "gitlab": gitlab["kmsguard"]["script"],
    }
    return {ci: next(shlex.split(line) for line in found if line.startswith("kmsguard ")) for ci, found in lines.items()}


def scan_to_sarif(root: Path, ci: str = "github"):
    """The documented CI scan, run from the repository root, plus a JSON report of the same run."""
    command = documented_scans()[ci]
    command = [tool("kmsguard"), *command[1:], "-o", "json"]
    command[command.index("--output-file-path") + 1] += ",results.json"
    result = run(command, cwd=root)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]  # findings: CI goes red
    return json.loads((root / "kmsguard.sarif").read_text()), json.loads((root / "results.json").read_text())


def sarif_findings(sarif: dict) -> Counter:
    found = Counter()
    for run_ in sarif["runs"]:
        for result in run_["results"]:
            if result["ruleId"].startswith(PACK_FILTER):
                location = result["locations"][0]["physicalLocation"]
                found[(result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"])] += 1
    return found


def json_failures(report: dict) -> Counter:
    return Counter(
        (record["check_id"], record["file_path"].lstrip("/"), record["file_line_range"][0])
        for record in report["results"]["failed_checks"]
        if record["check_id"].startswith(PACK_FILTER)
    )


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_sarif_has_every_failure_of_a_small_tree(tmp_path, ci):
    root = write_tree(tmp_path / "repo", {"infra/main.tf": BAD_TF})
    sarif, report = scan_to_sarif(root, ci)
    assert {(r["check_id"], r["resource"]) for r in report["results"]["failed_checks"]} == BAD_FAILURES
    lines = BAD_TF.splitlines()
    expected = Counter()
    for check_id, resource in BAD_FAILURES:
        kind, name = resource.split(".")
        expected[(check_id, "infra/main.tf", lines.index(f'resource "{kind}" "{name}" {{') + 1)] += 1
    assert sarif_findings(sarif) == expected
    driver_rules = {rule["id"] for run_ in sarif["runs"] for rule in run_["tool"]["driver"]["rules"]}
    assert {check_id for check_id, _ in BAD_FAILURES} <= driver_rules


@pytest.mark.skipif(not (EXAMPLE_BAD / "expected.json").exists(), reason="examples/bad not present")
def test_sarif_has_every_failure_of_the_bad_example(tmp_path):
    root = shutil.copytree(EXAMPLE_BAD, tmp_path / "bad")  # the reports are written where the scan runs
    sarif, report = scan_to_sarif(root)
    expected_ids = Counter(
        entry["check_id"] for entry in json.loads((EXAMPLE_BAD / "expected.json").read_text())
        if entry["result"] == "FAILED"
    )
    found = sarif_findings(sarif)
    assert Counter(rule_id for rule_id, _, _ in found.elements()) == expected_ids
    assert found == json_failures(report)
    for _, uri, line in found:  # annotations must land on a real line of a real file
        path = root / uri
        assert path.is_file(), uri
        assert line <= len(path.read_text().splitlines()), (uri, line)

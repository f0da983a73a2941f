"""SARIF for code scanning: valid SARIF 2.1.0, every pack failure with its rule, place and reason.

GitHub's upload-sarif validates files against the schema and rejects invalid
ones, so every SARIF here is validated against the OASIS schema.
"""
from __future__ import annotations

import json
import shlex
import shutil
from collections import Counter
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from tool_support import BAD_FAILURES, BAD_TF, PACK_FILTER, REPO, run, tool, write_tree

EXAMPLE_BAD = REPO / "examples" / "bad"
CI_DOCS = REPO / "docs" / "ci"
SCHEMA = REPO / "tests" / "sarif-schema-2.1.0.json"  # OASIS SARIF 2.1.0 (draft-04), as published


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))


def schema_errors(validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in validator.iter_errors(log)]


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


def pack_results(log: dict) -> list[dict]:
    return [r for run_ in log["runs"] for r in run_["results"] if r["ruleId"].startswith(PACK_FILTER)]


def place(result: dict) -> tuple[str, str, int]:
    location = result["locations"][0]["physicalLocation"]
    return result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"]


def json_failures(report: dict) -> list[dict]:
    return [r for r in report["results"]["failed_checks"] if r["check_id"].startswith(PACK_FILTER)]


def json_place(record: dict) -> tuple[str, str, int]:
    return record["check_id"], record["file_path"].lstrip("/"), record["file_line_range"][0]


def assert_reasons_in_messages(log: dict, failures: list[dict]) -> None:
    """Each SARIF result's message holds the details of a JSON failure at the same rule and place."""
    details_at: dict[tuple, list[list[str]]] = {}
    for record in failures:
        details_at.setdefault(json_place(record), []).append(record.get("details") or [])
    for result in pack_results(log):
        text = result["message"]["text"]
        candidates = details_at[place(result)]
        assert any(details and all(d in text for d in details) for details in candidates), (place(result), text)


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_sarif_has_every_failure_of_a_small_tree(tmp_path, ci, validator):
    root = write_tree(tmp_path / "repo", {"infra/main.tf": BAD_TF})
    log, report = scan_to_sarif(root, ci)
    assert schema_errors(validator, log) == []
    assert {(r["check_id"], r["resource"]) for r in report["results"]["failed_checks"]} == BAD_FAILURES
    lines = BAD_TF.splitlines()
    expected: Counter[tuple[str, str, int]] = Counter()
    for check_id, resource in BAD_FAILURES:
        kind, name = resource.split(".")
        expected[(check_id, "infra/main.tf", lines.index(f'resource "{kind}" "{name}" {{') + 1)] += 1
    assert Counter(place(r) for r in pack_results(log)) == expected
    assert_reasons_in_messages(log, json_failures(report))
    driver_rules = {rule["id"] for run_ in log["runs"] for rule in run_["tool"]["driver"]["rules"]}
    assert {check_id for check_id, _ in BAD_FAILURES} <= driver_rules


def test_gitlab_sast_report_carries_the_reason(tmp_path):
    root = write_tree(tmp_path / "repo", {"infra/main.tf": BAD_TF})
    scan_to_sarif(root, "gitlab")
    report = json.loads((root / "gl-sast-kmsguard.json").read_text())
    found = {v["identifiers"][0]["value"]: v["description"] for v in report["vulnerabilities"]}
    assert set(found) == {check_id for check_id, _ in BAD_FAILURES}
    assert "AES256" in found["CKV_KMSG_1"], found  # the reason, not only a link


@pytest.mark.skipif(not (EXAMPLE_BAD / "expected.json").exists(), reason="examples/bad not present")
def test_sarif_of_the_bad_example_is_valid_and_carries_every_reason(tmp_path, validator):
    root = shutil.copytree(EXAMPLE_BAD, tmp_path / "bad")  # the reports are written where the scan runs
    log, report = scan_to_sarif(root)
    assert schema_errors(validator, log) == []
    expected_ids = Counter(
        entry["check_id"] for entry in json.loads((EXAMPLE_BAD / "expected.json").read_text())
        if entry["result"] == "FAILED"
    )
    found = Counter(place(r) for r in pack_results(log))
    assert Counter(rule_id for rule_id, _, _ in found.elements()) == expected_ids
    assert found == Counter(json_place(r) for r in json_failures(report))
    assert_reasons_in_messages(log, json_failures(report))
    for _, uri, line in found:  # annotations must land on a real line of a real file
        path = root / uri
        assert path.is_file(), uri
        assert line <= len(path.read_text().splitlines()), (uri, line)


def plain_checkov_sarif(root: Path) -> Path:
    """SARIF as plain `checkov -o sarif` writes it, with the pack loaded from `kmsguard --pack-dirs`."""
    dirs = run([tool("kmsguard"), "--pack-dirs"]).stdout.split()
    command = [tool("checkov"), "-d", ".", "--check", "CKV_KMSG_*,CKV2_KMSG_*", "-o", "sarif", "-o", "json",
               "--output-file-path", "checkov.sarif,checkov.json"]
    for directory in dirs:
        command += ["--external-checks-dir", directory]
    result = run(command, cwd=root)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    return root / "checkov.sarif"


def test_sarif_fix_repairs_what_plain_checkov_writes(tmp_path, validator):
    root = write_tree(tmp_path / "repo", {"infra/main.tf": BAD_TF})
    written = plain_checkov_sarif(root)
    original = json.loads(written.read_text())
    assert schema_errors(validator, original), "control: Checkov's own SARIF is expected to be invalid"

    fixed_path = root / "fixed.sarif"
    result = run([tool("kmsguard"), "sarif-fix", str(written), "-o", str(fixed_path)])
    assert result.returncode == 0, result.stderr
    assert json.loads(written.read_text()) == original  # -o leaves the input alone
    fixed = json.loads(fixed_path.read_text())
    assert schema_errors(validator, fixed) == []
    report = json.loads((root / "checkov.json").read_text())
    assert_reasons_in_messages(fixed, json_failures(report))
    assert Counter(place(r) for r in pack_results(fixed)) == Counter(place(r) for r in pack_results(original))

    # In place, and a second repair changes nothing.
    assert run([tool("kmsguard"), "sarif-fix", str(written)]).returncode == 0
    assert json.loads(written.read_text()) == fixed
    assert run([tool("kmsguard"), "sarif-fix", str(written)]).returncode == 0
    assert json.loads(written.read_text()) == fixed


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ["file not found"]),
        ("{not json", ["is not JSON"]),
        ('{"runs": "x"}', ["not a SARIF log"]),
        ('{"version": "2.0.0", "runs": []}', ["2.1.0"]),
    ],
)
def test_sarif_fix_rejects_bad_input_on_one_line(tmp_path, content, words):
    path = tmp_path / "in.sarif"
    if content is not None:
        path.write_text(content)
    result = run([tool("kmsguard"), "sarif-fix", str(path)])
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(word in lines[0] for word in words), result.stderr
    if content is not None:
        assert path.read_text() == content  # never half-rewritten


def test_repair_fixes_zero_lines_and_keeps_valid_attachments(validator):
    from kmsguard.cli import sarif

    location = {"physicalLocation": {"artifactLocation": {"uri": "tfplan.json"}, "region": {"startLine": 0, "endLine": 0}}}
    valid = {"description": {"text": "kept"}, "artifactLocation": {"uri": "x.tf"}}
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Checkov"}}, "results": [
        {"ruleId": "CKV_KMSG_1", "message": {"text": "Name"}, "locations": [location],
         "attachments": [{"description": "the reason"}, {"description": "the reason"}, valid]},
    ]}]}
    assert schema_errors(validator, log)
    repaired = sarif.repair(json.loads(json.dumps(log)))
    assert schema_errors(validator, repaired) == []
    result = repaired["runs"][0]["results"][0]
    assert result["message"]["text"] == "Name: the reason"  # once, however often Checkov repeats it
    assert result["attachments"] == [valid]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "endLine": 1}
    assert sarif.repair(json.loads(json.dumps(repaired))) == repaired

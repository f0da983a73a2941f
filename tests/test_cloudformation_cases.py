"""Per-rule CloudFormation cases: tests/cases/<CHECK_ID>/cfn_<case>/ holds template.yaml (or .json) and expected.yaml.

Same format and same exact comparison as tests/test_rule_cases.py, scanned by
Checkov's real CloudFormation Runner in this process. Resources are named as
Checkov names them: ``AWS::S3::Bucket.LogicalId``.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from checkov.cloudformation.runner import Runner
from checkov.common.models.enums import CheckResult
from checkov.runner_filter import RunnerFilter
from test_rule_cases import CASES, _apply_env, _diff, _load

from checkov_run import ensure_loaded, registered_ids

CFN_CASE_FILES = sorted(CASES.glob("*/cfn_*/expected.yaml"))


def scan(directory: Path, checks: list[str]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    ensure_loaded()  # the pack's check files register both twins; load them once per process
    report = Runner().run(root_folder=str(directory), runner_filter=RunnerFilter(framework=["cloudformation"], checks=checks))
    assert not isinstance(report, list), "the image referencer is off for templates without images"
    records = report.passed_checks + report.failed_checks + report.skipped_checks
    return [(r.check_id, r.resource, CheckResult(r.check_result["result"]).name, tuple(r.details or ())) for r in records]


@pytest.mark.parametrize("expected_file", CFN_CASE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_cloudformation_case(expected_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _load(expected_file)
    assert not set(spec["results"]) - registered_ids()
    _apply_env(monkeypatch, spec.get("env"))
    found = scan(expected_file.parent, list(spec["results"]))
    expected = Counter((c, r, res) for c, by_resource in spec["results"].items() for r, res in by_resource.items())
    actual = Counter(f[:3] for f in found)
    assert actual == expected, f"{spec['description']}\n{_diff(expected, actual)}\ndetails: {[(f[:3], f[3]) for f in found]}"
    for check_id, by_resource in (spec.get("details") or {}).items():
        for resource, wanted in by_resource.items():
            details = " | ".join(d for f in found if f[0] == check_id and f[1] == resource for d in f[3])
            for text in [wanted] if isinstance(wanted, str) else wanted:
                assert text in details, f"{check_id} {resource}: {text!r} not in details {details!r}"


def test_every_rule_has_cloudformation_cases() -> None:
    covered = {p.parent.parent.name for p in CFN_CASE_FILES}
    assert covered == {"CKV_KMSG_1", "CKV_KMSG_2", "CKV_KMSG_3", "CKV_KMSG_4", "CKV2_KMSG_1", "CKV2_KMSG_2", "CKV2_KMSG_3"}


def test_failed_results_have_details() -> None:
    """Checkov's CloudFormation runner drops check details; the adapter keeps them (a FAILED must say why)."""
    found = scan(CASES / "CKV_KMSG_1" / "cfn_aes256", ["CKV_KMSG_1"])
    assert [f[:3] for f in found] == [("CKV_KMSG_1", "AWS::S3::Bucket.Bucket", "FAILED")]
    assert any("AES256" in d for d in found[0][3])

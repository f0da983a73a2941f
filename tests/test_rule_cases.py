"""Per-rule cases as data: tests/cases/<CHECK_ID>/<case>/ holds Terraform and expected.yaml.

Each case is scanned by the real Checkov Runner with only the check IDs its
expected.yaml lists; the (check, resource, result) records must match exactly.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from checkov_run import registered_check, registered_ids, run, scan_once
from kmsguard.settings import ALL as SETTINGS

CASES = Path(__file__).resolve().parent / "cases"
# cfn_* cases hold CloudFormation templates: tests/test_cloudformation_cases.py runs them.
CASE_FILES = sorted(p for p in CASES.glob("*/*/expected.yaml") if not p.parent.name.startswith("cfn_"))
RESULTS = {"PASSED", "FAILED", "SKIPPED"}


def _load(path: Path) -> dict:
    spec = yaml.safe_load(path.read_text())
    assert isinstance(spec, dict), f"{path}: not a mapping"
    unknown = set(spec) - {"description", "env", "results", "details"}
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    assert spec.get("description"), f"{path}: description is required"
    results = spec.get("results")
    assert isinstance(results, dict) and results, f"{path}: results must list at least one check ID"
    for check_id, by_resource in results.items():
        assert isinstance(by_resource, dict), f"{path}: results.{check_id} must be a mapping ({{}} for none)"
        bad = {r for r in by_resource.values() if r not in RESULTS}
        assert not bad, f"{path}: results.{check_id} has values {bad}, expected one of {sorted(RESULTS)}"
    for check_id, by_resource in (spec.get("details") or {}).items():
        for resource in by_resource:
            assert resource in results.get(check_id, {}), f"{path}: details for {check_id} {resource} has no result"
    return spec


def _apply_env(monkeypatch: pytest.MonkeyPatch, env: dict | None) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, str(value))


def _diff(expected: Counter, actual: Counter) -> str:
    missing = sorted((expected - actual).elements())
    extra = sorted((actual - expected).elements())
    return "\n".join([f"missing: {m}" for m in missing] + [f"unexpected: {e}" for e in extra])


@pytest.mark.parametrize("expected_file", CASE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_rule_case(expected_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _load(expected_file)
    unknown_ids = set(spec["results"]) - registered_ids()
    assert not unknown_ids, f"not registered checks: {sorted(unknown_ids)}"
    _apply_env(monkeypatch, spec.get("env"))

    found = scan_once(expected_file.parent, list(spec["results"]))

    expected = Counter(
        (check_id, resource, result)
        for check_id, by_resource in spec["results"].items()
        for resource, result in by_resource.items()
    )
    actual = Counter(r.key for r in found)
    assert actual == expected, f"{spec['description']}\n{_diff(expected, actual)}\ndetails: {[(r.key, r.details) for r in found]}"
    for check_id, by_resource in (spec.get("details") or {}).items():
        for resource, wanted in by_resource.items():
            details = " | ".join(d for r in found if r.check_id == check_id and r.resource == resource for d in r.details)
            for text in [wanted] if isinstance(wanted, str) else wanted:
                assert text in details, f"{check_id} {resource}: {text!r} not in details {details!r}"
    # Details are words for people: no internal stand-in (a private-use character) may leak into them.
    leaked = [(r.key, d) for r in found for d in r.details if any("\ue000" <= c <= "\uf8ff" for c in d)]
    assert not leaked, leaked


def test_cases_exist_for_every_pack_check() -> None:
    covered = {p.parent.parent.name for p in CASE_FILES}
    assert registered_ids() <= covered, f"no cases for {sorted(registered_ids() - covered)}"


# A case that yields a result for every check of the pack.
FULL_STACK = CASES / "CKV2_KMSG_1" / "full_stack"


def _single_resource_checks() -> set[str]:
    return {i for i in registered_ids() if i.startswith("CKV_KMSG_")}


def test_check_wildcard_selects_only_ckv_kmsg(monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_env(monkeypatch, None)
    found = {r.check_id for r in run(FULL_STACK, checks=["CKV_KMSG_*"])}
    assert found == _single_resource_checks()


def test_skip_check_wildcard_drops_ckv2(monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_env(monkeypatch, None)
    found = {r.check_id for r in run(FULL_STACK, skip_checks=["CKV2_KMSG_*"])}
    assert _single_resource_checks() <= found
    assert not {c for c in found if c.startswith("CKV2_KMSG_")}


@pytest.mark.parametrize("value", ["abc", "5"])
def test_bad_min_deletion_window_fails_naming_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_env(monkeypatch, {"KMSGUARD_MIN_DELETION_WINDOW_DAYS": value})
    found = run(FULL_STACK, checks=["CKV_KMSG_3"])
    assert found, "CKV_KMSG_3 reported nothing"
    for result in found:
        assert result.result == "FAILED", result
        assert "KMSGUARD_MIN_DELETION_WINDOW_DAYS" in " ".join(result.details), result


@pytest.mark.parametrize("value", ["abc", "5000"])
def test_bad_max_rotation_period_fails_naming_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_env(monkeypatch, {"KMSGUARD_MAX_ROTATION_PERIOD_DAYS": value})
    found = run(FULL_STACK, checks=["CKV_KMSG_2"])
    assert found, "CKV_KMSG_2 reported nothing"
    for result in found:
        assert result.result == "FAILED", result
        assert "KMSGUARD_MAX_ROTATION_PERIOD_DAYS" in " ".join(result.details), result


# Keys CKV_KMSG_2 does not report with a good setting (asymmetric, HMAC, custom key store).
NOT_ROTATABLE = [CASES / "CKV_KMSG_2" / "asymmetric_and_hmac_not_reported",
                 CASES / "CKV_KMSG_2" / "custom_key_store_not_reported"]


@pytest.mark.parametrize("case", NOT_ROTATABLE, ids=lambda p: p.name)
def test_bad_setting_fails_even_resources_the_rule_exempts(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The docs promise every resource of the check fails, not only those the rule judges.
    _apply_env(monkeypatch, None)
    good = run(case, checks=["CKV_KMSG_2"])
    _apply_env(monkeypatch, {"KMSGUARD_MAX_ROTATION_PERIOD_DAYS": "yearly"})
    bad = run(case, checks=["CKV_KMSG_2"])
    assert len(bad) > len(good), (good, bad)
    assert all(r.result == "FAILED" and "KMSGUARD_MAX_ROTATION_PERIOD_DAYS" in " ".join(r.details) for r in bad), bad


def test_internal_error_is_failed_with_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_env(monkeypatch, None)
    check = registered_check("CKV_KMSG_3", "aws_kms_key")

    def broken(conf, resource_type):
        raise RuntimeError("simulated kmsguard bug")

    monkeypatch.setattr(check, "evaluate", broken)
    found = run(FULL_STACK, checks=["CKV_KMSG_3"])
    assert [r.result for r in found] == ["FAILED"]
    details = " ".join(found[0].details)
    assert "RuntimeError" in details and "simulated kmsguard bug" in details

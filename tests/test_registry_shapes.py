"""Differential test of issue 9: module-shaped fixtures, real Terraform plans as the oracle.

Each tests/registry_shapes/<fixture>/ is a Terraform root (or several, ``roots:``)
written the way terraform-aws-modules and cloudposse write their modules, with
``expected.yaml``:

- ``results``: every result of the six pack checks, exactly (as tests/cases),
  written from AWS semantics;
- ``assumes``: plan address -> {attribute path: value} the verdicts rest on.
  A path is dotted with list indexes (``rule.0.bucket_key_enabled``); the value
  ``(known after apply)`` means the plan must leave it unknown, any other value
  must be known and equal;
- ``absent``: plan addresses that must not exist (count 0 instances).

``tfplan.json`` is a real plan, made by make_plans.py with terraform and the
offline AWS provider; this test only reads the committed plans. Per fixture:
(a) the assumed instances exist with the assumed values, (b) the absent ones do
not, (c) the HCL scan by the real Checkov Runner gives exactly the expected
results, (d) no pack result is on a resource with no instance in the plan.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from checkov_run import registered_ids, scan_once
from kmsguard.settings import ALL as SETTINGS

SHAPES = Path(__file__).resolve().parent / "registry_shapes"
FIXTURES = sorted(p.parent for p in SHAPES.glob("*/expected.yaml"))
PACK_CHECKS = sorted(i for i in registered_ids() if "_KMSG_" in i)  # from Checkov's registry, never typed here
RESULTS = {"PASSED", "FAILED", "SKIPPED"}
UNKNOWN = "(known after apply)"
KEYS = {"description", "env", "results", "details", "assumes", "absent", "roots", "plan", "plan_note"}
_INDEX = re.compile(r"\[[^\]]*\]")


def _spec(fixture: Path) -> dict:
    spec = yaml.safe_load((fixture / "expected.yaml").read_text())
    assert isinstance(spec, dict), f"{fixture.name}: expected.yaml is not a mapping"
    assert not set(spec) - KEYS, f"{fixture.name}: unknown keys {sorted(set(spec) - KEYS)}"
    assert spec.get("description"), f"{fixture.name}: description is required"
    results = spec.get("results") or {}
    assert sorted(results) == sorted(PACK_CHECKS), f"{fixture.name}: results must list every pack check ({{}} for none)"
    for check_id, by_resource in results.items():
        assert isinstance(by_resource, dict), f"{fixture.name}: results.{check_id} must be a mapping"
        assert set(by_resource.values()) <= RESULTS, f"{fixture.name}: results.{check_id}: {by_resource}"
    for check_id, by_resource in (spec.get("details") or {}).items():
        for resource in by_resource:
            assert resource in results.get(check_id, {}), f"{fixture.name}: details {check_id} {resource} has no result"
    if spec.get("plan", True) is False:
        assert spec.get("plan_note"), f"{fixture.name}: plan: false needs a plan_note saying why"
    return spec


def _roots(spec: dict) -> list[str]:
    return list(spec.get("roots") or ["."])


def _per_root(spec: dict, key: str, empty: Any) -> dict[str, Any]:
    """assumes/absent by root: a multi-root fixture keys them by root name."""
    value = spec.get(key) or empty
    return dict(value) if spec.get("roots") else {".": value}


def _planned(fixture: Path, spec: dict) -> dict[str, dict[str, dict]]:
    """root -> plan address -> {"values": planned values, "unknown": after_unknown}."""
    plans = {}
    for root in _roots(spec):
        path = fixture / root / "tfplan.json"
        assert path.is_file(), f"{path} missing: run python tests/registry_shapes/make_plans.py {fixture.name}"
        plan = json.loads(path.read_text())
        instances: dict[str, dict] = {}
        modules = [plan["planned_values"]["root_module"]]
        while modules:
            module = modules.pop()
            for resource in module.get("resources", []):
                if resource.get("mode") == "managed":
                    instances[resource["address"]] = {"values": resource.get("values") or {}, "unknown": {}}
            modules.extend(module.get("child_modules", []))
        for change in plan.get("resource_changes", []):
            if change["address"] in instances:
                instances[change["address"]]["unknown"] = change["change"].get("after_unknown") or {}
        plans[root] = instances
    return plans


_MISSING = object()


def _lookup(value: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return _MISSING
    return value


def _is_unknown(unknown: Any, path: list[str]) -> bool:
    for part in path:
        if unknown is True:
            return True
        if isinstance(unknown, list) and part.isdigit() and int(part) < len(unknown):
            unknown = unknown[int(part)]
        elif isinstance(unknown, dict):
            unknown = unknown.get(part, False)
        else:
            return False
    return unknown is True


def _strip(address: str) -> str:
    return _INDEX.sub("", address)


def _apply_env(monkeypatch: pytest.MonkeyPatch, env: dict | None) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, str(value))


SPECS = {f.name: _spec(f) for f in FIXTURES}
PLANNED = [f for f in FIXTURES if SPECS[f.name].get("plan", True) is not False]
ids = lambda f: f.name  # noqa: E731


def test_corpus_is_there() -> None:
    assert len(FIXTURES) >= 10, [f.name for f in FIXTURES]


@pytest.mark.parametrize("fixture", PLANNED, ids=ids)
def test_plan_has_assumed_instances_and_values(fixture: Path) -> None:
    """(a) every assumed address is an instance in the real plan, with the assumed values."""
    spec = SPECS[fixture.name]
    plans = _planned(fixture, spec)
    problems = []
    for root, assumed in _per_root(spec, "assumes", {}).items():
        assert assumed, f"{fixture.name}/{root}: no assumes"
        for address, values in assumed.items():
            instance = plans[root].get(address)
            if instance is None:
                problems.append(f"{root}: {address} is not in the plan")
                continue
            for dotted, wanted in (values or {}).items():
                path = str(dotted).split(".")
                unknown = _is_unknown(instance["unknown"], path)
                if wanted == UNKNOWN:
                    if not unknown:
                        known = _lookup(instance["values"], path)
                        problems.append(f"{root}: {address} {dotted} is known ({known!r}), expected unknown")
                    continue
                actual = _lookup(instance["values"], path)
                if unknown:
                    problems.append(f"{root}: {address} {dotted} is unknown in the plan, expected {wanted!r}")
                elif actual is _MISSING or actual != wanted:
                    shown = "(missing)" if actual is _MISSING else repr(actual)
                    problems.append(f"{root}: {address} {dotted} = {shown}, expected {wanted!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fixture", PLANNED, ids=ids)
def test_plan_lacks_absent_instances(fixture: Path) -> None:
    """(b) count-0 instances the expectations rely on are not in the plan."""
    spec = SPECS[fixture.name]
    plans = _planned(fixture, spec)
    present = [f"{root}: {a}" for root, absent in _per_root(spec, "absent", []).items()
               for a in absent if a in plans[root]]
    assert not present, "in the plan although expected absent:\n" + "\n".join(present)


@pytest.mark.parametrize("fixture", PLANNED, ids=ids)
def test_expected_resources_exist_in_plan(fixture: Path) -> None:
    """The expectations themselves: every expected result is on a resource the plan creates."""
    spec = SPECS[fixture.name]
    existing = {_strip(a) for instances in _planned(fixture, spec).values() for a in instances}
    phantom = sorted({f"{c} {r}" for c, by in spec["results"].items() for r in by if _strip(r) not in existing})
    assert not phantom, "expected results on resources the plan does not create:\n" + "\n".join(phantom)


@pytest.mark.parametrize("fixture", FIXTURES, ids=ids)
def test_hcl_scan_gives_expected_results(fixture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(c) the HCL scan gives exactly the expected (check, resource, result) records, and details."""
    spec = SPECS[fixture.name]
    _apply_env(monkeypatch, spec.get("env"))
    found = scan_once(fixture, PACK_CHECKS)
    expected = Counter((c, r, v) for c, by in spec["results"].items() for r, v in by.items())
    actual = Counter(r.key for r in found)
    missing = sorted((expected - actual).elements())
    extra = sorted((actual - expected).elements())
    lines = [f"missing: {m}" for m in missing] + [f"unexpected: {e}" for e in extra]
    lines += [f"  {r.key}: {' | '.join(r.details)[:300]}" for r in found
              if r.key in set(missing) | set(extra) or any((r.check_id, r.resource) == (m[0], m[1]) for m in missing)]
    problems = ["\n".join(lines)] if missing or extra else []
    for check_id, by_resource in (spec.get("details") or {}).items():
        for resource, wanted in by_resource.items():
            details = " | ".join(d for r in found if r.check_id == check_id and r.resource == resource for d in r.details)
            for text in [wanted] if isinstance(wanted, str) else wanted:
                if text not in details:
                    problems.append(f"details {check_id} {resource}: {text!r} not in {details!r}")
    assert not problems, spec["description"] + "\n" + "\n".join(problems)


@pytest.mark.parametrize("fixture", PLANNED, ids=ids)
def test_no_result_on_resources_terraform_does_not_create(fixture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(d) no pack result on a resource none of whose instances is in the plan."""
    spec = SPECS[fixture.name]
    _apply_env(monkeypatch, spec.get("env"))
    existing = {_strip(a) for instances in _planned(fixture, spec).values() for a in instances}
    phantom = sorted({f"{r.check_id} {r.resource} {r.result}" for r in scan_once(fixture, PACK_CHECKS)
                      if _strip(r.resource) not in existing})
    assert not phantom, "results on resources the plan does not create:\n" + "\n".join(phantom)

"""End to end: scan the example trees with the real ``checkov`` command and compare with expected.json.

The expected files are written from the rules' semantics (see examples/README.md),
not from the tool's output. Only the pack's own results (CKV_KMSG_*, CKV2_KMSG_*)
are compared; Checkov's built-in checks are left out.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tool_support import pack_records

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CHECKOV = Path(sys.executable).with_name("checkov")
PACK_PREFIXES = ("CKV_KMSG_", "CKV2_KMSG_")
PRODUCTION = {"KMSGUARD_MIN_DELETION_WINDOW_DAYS": "14"}
NETWORKX = {"CHECKOV_GRAPH_FRAMEWORK": "NETWORKX"}  # Checkov's other graph backend

# (case id, tree, extra environment, expected file)
CASES = [
    ("good", "good", {}, "good/expected.json"),
    ("good-min14", "good", PRODUCTION, "good/expected.json"),
    ("bad", "bad", {}, "bad/expected.json"),
    ("bad-min14", "bad", PRODUCTION, "bad/expected.min14.json"),
    ("good-networkx", "good", NETWORKX, "good/expected.json"),
    ("bad-networkx", "bad", NETWORKX, "bad/expected.json"),
]
CASE_IDS = [case[0] for case in CASES]

Triple = tuple[str, str, str]


@functools.lru_cache(maxsize=None)
def scan(case_id: str) -> list[dict]:
    """The pack's results for one case: one checkov run per case, shared by the tests."""
    assert CHECKOV.exists(), f"no checkov executable next to {sys.executable}"
    _, tree, extra_env, _ = next(case for case in CASES if case[0] == case_id)
    env = {name: value for name, value in os.environ.items() if not name.startswith("KMSGUARD_")}
    env.update(extra_env, BC_SKIP_MAPPING="TRUE")
    command = [
        str(CHECKOV), "-d", f"examples/{tree}",
        "--external-checks-dir", "custom_checks",
        "--external-checks-dir", "policies",
        "-o", "json",
    ]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    # checkov exits 1 when any check failed, 0 when none did; anything else is a crash.
    assert proc.returncode in (0, 1), f"checkov exited {proc.returncode}\nstderr:\n{proc.stderr[-4000:]}"
    try:
        return pack_records(proc.stdout)
    except json.JSONDecodeError as error:
        pytest.fail(f"checkov did not print JSON ({error}):\n{proc.stdout[:2000]}\nstderr:\n{proc.stderr[-2000:]}")


def triple(result: dict) -> Triple:
    return (result["check_id"], result["resource"], result["check_result"]["result"])


def load_expected(name: str) -> list[Triple]:
    rows = json.loads((EXAMPLES / name).read_text())
    return [(row["check_id"], row["resource"], row["result"]) for row in rows]


def diff(expected: list[Triple], results: list[dict]) -> str:
    """Readable lines for each missing, wrong or extra result (empty when they match)."""
    actual = [triple(result) for result in results]
    details = {triple(r): "; ".join(map(str, r.get("details") or [])) for r in results}
    want, got = Counter(expected), Counter(actual)
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements())
    actual_by_key = {(c, r): res for c, r, res in actual}
    lines = []
    for check_id, resource, result in missing:
        other = actual_by_key.get((check_id, resource))
        if other and other != result:
            why = f"got {other}: {details.get((check_id, resource, other)) or '(no details)'}"
        else:
            why = "not reported"
        lines.append(f"  missing {check_id:<12} {resource}  expected {result}, {why}")
    missing_keys = {(c, r) for c, r, _ in missing}
    for check_id, resource, result in extra:
        if (check_id, resource) in missing_keys and got[(check_id, resource, result)] == 1:
            continue  # already shown above as a wrong result
        lines.append(f"  extra   {check_id:<12} {resource}  {result}: {details.get((check_id, resource, result))}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_expected_files_are_well_formed(case):
    expected = load_expected(case[3])
    assert expected, "an expected file must list results"
    assert all(result in ("PASSED", "FAILED") for _, _, result in expected)
    keys = Counter((check_id, resource) for check_id, resource, _ in expected)
    assert not [k for k, n in keys.items() if n > 1], "each (check_id, resource) may appear once"
    assert all(check_id.startswith(PACK_PREFIXES) for check_id, _, _ in expected)


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_results_match_expected(case):
    case_id, tree, extra_env, expected_file = case
    expected = load_expected(expected_file)
    problems = diff(expected, scan(case_id))
    settings = " ".join(f"{k}={v}" for k, v in extra_env.items()) or "default settings"
    assert not problems, (
        f"examples/{tree} ({settings}) does not match examples/{expected_file}:\n{problems}"
    )


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_failed_results_explain_why(case):
    empty = [
        f"{triple(result)[0]} {triple(result)[1]}"
        for result in scan(case[0])
        if result["check_result"]["result"] == "FAILED"
        and not [d for d in (result.get("details") or []) if str(d).strip()]
    ]
    assert not empty, "FAILED results without details:\n  " + "\n  ".join(empty)

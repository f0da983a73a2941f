"""The proofs of ``kmsguard fix`` on Terraform: every FAILED verdict of the case trees, fixed, then scanned again.

Trees: every Terraform case under tests/cases (each its own tree, with its
``env``), examples/bad, and every tests/registry_shapes fixture. Each tree is
copied, fixed in place by ``users.fix_plan`` (what ``kmsguard fix --write``
does), and scanned again with every check. Required:

- every finding the fix claims PASSES; it may be gone only where the rule no
  longer applies: CKV_KMSG_4 (Bucket Keys) on a configuration the fix moved to
  SSE-S3, which has no aws:kms rule left to judge;
- nothing that PASSED before fails (or disappears, with that same exception);
- the findings not fixed are exactly those of tests/fix_proofs_expected.yaml,
  whose reasons were written from why each cannot be fixed (see its header);
- the findings reported as fixed by another change do PASS;
- no scan detail promises a fix (only the planner decides; the summary says it);
- a second run changes nothing.

The patched examples/bad and registry shapes must also pass ``terraform fmt
-check`` and ``terraform validate`` (offline provider mirror, as
tests/registry_shapes/make_plans.py uses it).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kmsguard.fix import plan, scan, users
from kmsguard.model.fix_intents import UseCustomerKey

REPO = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).resolve().parent / "fix_proofs_expected.yaml"
SHAPES = REPO / "tests" / "registry_shapes"


def _trees() -> dict[str, Path]:
    trees = {f"{p.parent.name}/{p.name}": p for p in sorted((REPO / "tests" / "cases").glob("*/*"))
             if (p / "main.tf").is_file()}
    trees["examples/bad"] = REPO / "examples" / "bad"
    trees.update({f"registry_shapes/{p.name}": p for p in sorted(SHAPES.iterdir()) if (p / "expected.yaml").is_file()})
    return trees


def _env(source: Path) -> dict[str, str]:
    spec = source / "expected.yaml"
    data = (yaml.safe_load(spec.read_text()) if spec.is_file() else None) or {}
    return {k: str(v) for k, v in (data.get("env") or {}).items()}


def _key(finding: scan.Finding) -> tuple[str, str, str]:
    return finding.check_id, finding.resource, os.path.realpath(finding.file)


@pytest.fixture(scope="module")
def proofs(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fix_proofs")
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, source in _trees().items():
            tree = folder / name.replace("/", "__")
            shutil.copytree(source, tree, ignore=shutil.ignore_patterns("expected*", "tfplan*.json"))
            for variable, value in _env(source).items():
                patch.setenv(variable, value)
            before, result = users.fix_plan([str(tree)], [], str(tree))
            for path, (_, new) in result.changes.items():
                Path(path).write_text(new, encoding="utf-8", newline="")
            after, again = users.fix_plan([str(tree)], [], str(tree))  # the command, run on its own output
            runs[name] = (tree, before, result, after, again)
            for variable in _env(source):
                patch.delenv(variable)
    return runs


def _moved_to_sse_s3(result: plan.Plan) -> set[str]:
    return {i.configuration.address for f in result.fixed for i in f.intents
            if isinstance(i, UseCustomerKey) and i.sse_s3 and i.configuration is not None}


@pytest.mark.e2e
def test_fixed_findings_pass_and_nothing_that_passed_fails(proofs):
    problems = []
    for name, (_, before, result, after, _) in proofs.items():
        now = {_key(f): f.result for f in after}
        gone_ok = _moved_to_sse_s3(result)
        claimed = [f for f in result.fixed] + [f for f, _ in result.fixed_by]
        passed = [f for f in before if f.result == "PASSED"]
        for finding in claimed + passed:
            got = now.get(_key(finding))
            if got == "PASSED" or (got is None and finding.check_id == "CKV_KMSG_4" and finding.resource in gone_ok):
                continue
            problems.append(f"{name}: {finding.check_id} {finding.resource} was {finding.result}, "
                            f"{'claimed fixed' if finding in claimed else 'passed'}, now {got}")
    assert problems == []


@pytest.mark.e2e
def test_the_findings_not_fixed_are_exactly_the_expected_ones(proofs):
    expected = yaml.safe_load(EXPECTED.read_text())["not_fixed"]
    got: dict[str, set] = {}
    wrong = []
    for name, (_, _, result, _, _) in proofs.items():
        for finding, reason in result.refused:
            got.setdefault(name, set()).add((finding.check_id, finding.resource))
            wanted = {(c, r): why for c, r, why in expected.get(name, [])}.get((finding.check_id, finding.resource))
            if wanted is not None and wanted not in reason:
                wrong.append(f"{name}: {finding.check_id} {finding.resource}: {wanted!r} not in {reason!r}")
    assert got == {name: {(c, r) for c, r, _ in items} for name, items in expected.items()}
    assert wrong == []


@pytest.mark.e2e
def test_no_detail_promises_a_fix(proofs):
    # One place decides what is fixed, the planner; a scan's details never claim it.
    claims = [(name, f.check_id, f.resource) for name, run in proofs.items() for f in run[1]
              if any("kmsguard fix" in d for d in f.details)]
    assert claims == []


@pytest.mark.e2e
def test_a_second_run_changes_nothing(proofs):
    assert {name: sorted(run[4].changes) for name, run in proofs.items() if run[4].changes} == {}


def _make_plans():
    spec = importlib.util.spec_from_file_location("make_plans", SHAPES / "make_plans.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _roots(tree: Path) -> list[Path]:
    """The Terraform roots of a patched tree: directories with .tf files that no module call reaches."""
    dirs = {p.parent for p in tree.rglob("*.tf") if ".terraform" not in p.parts}
    return sorted(d for d in dirs if "modules" not in d.relative_to(tree).parts)


@pytest.mark.terraform
@pytest.mark.tools_only
def test_patched_examples_and_registry_shapes_are_valid_terraform(proofs, tmp_path: Path):
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed")
    helper = _make_plans()
    mirror = os.environ.get("KMSGUARD_TF_MIRROR", "/opt/tf-plugins")
    if not (Path(mirror) / "registry.terraform.io").is_dir():
        pytest.skip(f"no offline provider mirror at {mirror}")
    config = tmp_path / "terraform.rc"
    config.write_text(helper.CLI_CONFIG.format(mirror=mirror, provider=helper.PROVIDER))
    failures = []
    for name, (tree, _, result, _, _) in proofs.items():
        if not name.startswith(("examples/", "registry_shapes/")) or not result.changes:
            continue
        formatted = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff"], cwd=tree,
                                   capture_output=True, text=True)
        if formatted.returncode:
            failures.append(f"{name}: terraform fmt -check:\n{formatted.stdout}{formatted.stderr}")
        for root in _roots(tree):
            work = tmp_path / name.replace("/", "__") / "copy"
            shutil.rmtree(work.parent, ignore_errors=True)
            shutil.copytree(tree, work)
            workdir = work / root.relative_to(tree)
            if not any("required_providers" in p.read_text() for p in workdir.glob("*.tf")):
                (workdir / "provider.tf").write_text(helper.PROVIDER_TF.format(version=helper.PROVIDER_VERSION,
                                                                               region=helper.REGION))
            env = dict(os.environ, TF_CLI_CONFIG_FILE=str(config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                       TF_DATA_DIR=str(workdir / ".terraform"))
            env.pop("TF_PLUGIN_CACHE_DIR", None)
            for command in (["terraform", "init", "-input=false", "-no-color", "-backend=false"],
                            ["terraform", "validate", "-no-color"]):
                done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
                if done.returncode:
                    failures.append(f"{name}/{root.relative_to(tree)}: {' '.join(command[:2])}:\n{done.stderr}")
                    break
    assert failures == []

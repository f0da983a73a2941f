"""Run Terraform through the real Checkov Runner with kmsguard's checks loaded once.

Checkov re-executes every external check file each time ``Runner.run`` gets
``external_checks_dir``; the registry then keeps the first instance per ID and
drops the new ones. So the pack is loaded on the first run only, which also
keeps "the registered instance" (the one tests may patch) the one that runs.
"""
from __future__ import annotations

import fnmatch
import functools
import gc
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checkov.common.checks.base_check import BaseCheck
from checkov.common.checks.base_check_registry import BaseCheckRegistry
from checkov.common.models.enums import CheckResult
from checkov.common.output.report import Report
from checkov.runner_filter import RunnerFilter
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.terraform.runner import Runner

REPO = Path(__file__).resolve().parent.parent
CUSTOM_CHECKS = (REPO / "custom_checks").resolve()
PACK_MARKER = "CKV_KMSG_1"


@dataclass(frozen=True)
class Result:
    check_id: str
    resource: str  # Checkov's resource address, e.g. module.s3.aws_s3_bucket.this
    result: str  # PASSED, FAILED or SKIPPED
    details: tuple[str, ...]
    file_path: str = field(default="", compare=False)  # Checkov's, relative to the scanned folder

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check_id, self.resource, self.result)


def registered_check(check_id: str, resource_type: str):
    """The instance Checkov's resource registry runs for ``check_id`` on ``resource_type``."""
    ensure_loaded()
    matches = [c for c in resource_registry.checks.get(resource_type, []) if c.id == check_id]
    assert len(matches) == 1, f"{check_id} registered {len(matches)} times for {resource_type}"
    return matches[0]


@dataclass(frozen=True)
class Registration:
    framework: str  # the registry's report type: terraform, cloudformation, ...
    check: BaseCheck


def pack_checks() -> list[BaseCheck]:
    """Every check instance the modules of custom_checks/ define (``check = MyCheck()``)."""
    ensure_loaded()
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        # The name test first: resolving every loaded module's path takes a third of a second.
        if path and os.path.basename(os.path.dirname(path)) == CUSTOM_CHECKS.name \
                and Path(path).resolve().parent == CUSTOM_CHECKS:
            found += [v for v in vars(module).values() if isinstance(v, BaseCheck)]
    return list({id(c): c for c in found}.values())


@functools.lru_cache(maxsize=None)  # the pack loads once per process
def registrations() -> tuple[Registration, ...]:
    """The pack's checks as Checkov's registries hold them, one entry per framework.

    Read from every registry object alive after loading the pack, so a check
    registered for a second framework (CloudFormation, ...) shows up too.
    """
    ensure_loaded()
    pack = {id(c) for c in pack_checks()}
    registries = [o for o in gc.get_objects() if isinstance(o, BaseCheckRegistry)]
    found = {}
    for registry in registries:
        for checks in list(registry.checks.values()) + list(registry.wildcard_checks.values()):
            for check in checks:
                if id(check) in pack:
                    found[(registry.report_type, id(check))] = Registration(registry.report_type, check)
    return tuple(found.values())


def registered_ids() -> set[str]:
    """The pack's check IDs, from Checkov's registries (never a hand-typed list)."""
    return {r.check.id for r in registrations()}


def _loaded() -> bool:
    return any(c.id == PACK_MARKER for checks in resource_registry.checks.values() for c in checks)


def ensure_loaded() -> None:
    if not _loaded():
        resource_registry.load_external_checks(str(CUSTOM_CHECKS))
        assert _loaded(), f"no kmsguard check registered from {CUSTOM_CHECKS}"


def one_report(report: Report | list[Report]) -> Report:
    """Runner.run's report for one framework (it returns a list only for several)."""
    assert not isinstance(report, list), f"{len(report)} reports where one was expected"
    return report


def outcome(record) -> str:
    """PASSED, FAILED or SKIPPED for a Checkov record."""
    return CheckResult(record.check_result["result"]).name


def run(root: Path | str, checks: list[str] | None = None, skip_checks: list[str] | None = None) -> list[Result]:
    """Every PASSED, FAILED and SKIPPED record of one Terraform scan of ``root``."""
    # The first run loads the pack the way the CLI does (also marking its IDs external).
    external = None if _loaded() else [str(CUSTOM_CHECKS)]
    report = one_report(Runner().run(
        root_folder=str(root),
        external_checks_dir=external,
        runner_filter=RunnerFilter(framework=["terraform"], checks=checks, skip_checks=skip_checks),
    ))
    records = report.passed_checks + report.failed_checks + report.skipped_checks
    return [
        Result(r.check_id, r.resource, outcome(r), tuple(r.details or ()), r.file_path)
        for r in records
    ]


CASES = REPO / "tests" / "cases"  # tests/cases/<ID>/<case>/: the trees of one <ID> folder share a scan
# A role's "*" grant reaches every bucket of a scan, so these checks' results on a tree
# depend on what it is scanned with: a tree with resources they judge is scanned alone.
SCAN_WIDE = frozenset({"CKV2_KMSG_2"})


def scan_once(root: Path | str, checks: list[str]) -> list[Result]:
    """``run`` for a committed tree that does not change during the test session, with the records of ``checks``.

    Several test modules judge the same trees (rule cases, fix snippets,
    registry shapes), so each scan is made once per settings environment.
    The case trees of one ``tests/cases/<ID>`` folder are scanned together unless they
    declare a resource a scan-wide check judges: every other rule judges a
    resource within its own Terraform root, so a tree's results are the same
    as alone (``test_shared_scans`` proves it for every tree in the full run).
    """
    root = Path(root).resolve()
    settings = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("KMSGUARD_")))
    if shares_scan(root):
        found = _scan_shared(str(root.parent), settings).get(root.name, ())
    else:
        found = _scan_all(str(root), settings)
    return [r for r in found if any(fnmatch.fnmatchcase(r.check_id, pattern) for pattern in checks)]


@functools.lru_cache(maxsize=None)
def shares_scan(root: Path) -> bool:
    """Is ``root`` a case tree with nothing a scan-wide check judges?"""
    if root.parent.parent != CASES:
        return False
    return not any(_scan_wide_resource().search(p.read_text(errors="replace")) for p in root.rglob("*.tf"))


@functools.lru_cache(maxsize=None)
def _scan_wide_resource() -> re.Pattern:
    """A Terraform declaration of a resource type that a scan-wide check judges."""
    types = sorted({t for c in pack_checks() if c.id in SCAN_WIDE for t in getattr(c, "supported_resources", ())})
    return re.compile(r'resource\s+"(?:%s)"' % "|".join(map(re.escape, types)))


@functools.lru_cache(maxsize=None)
def _scan_all(root: str, _settings: tuple) -> tuple[Result, ...]:
    return tuple(run(root, checks=sorted(registered_ids())))


@functools.lru_cache(maxsize=None)
def _scan_shared(folder: str, settings: tuple) -> dict[str, tuple[Result, ...]]:
    """The records of one scan of ``folder``, by the tree they belong to."""
    return {tree: tuple(results) for tree, results in by_tree(_scan_all(folder, settings)).items()}


def by_tree(results) -> dict[str, list[Result]]:
    """Records of a scan of a folder of trees, by tree: the first part of Checkov's file path."""
    found: dict[str, list[Result]] = {}
    for result in results:
        found.setdefault(result.file_path.lstrip("/").split("/", 1)[0], []).append(result)
    return found

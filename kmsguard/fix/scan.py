"""Run the pack in this process and collect every result with its verdict (and so its fix intents).

Checkov's Runners are called directly, one per framework, as the tests do
(``checkov.main`` forks its frameworks into worker processes, where the
verdicts would be out of reach). ``base_check.recording`` collects what each
check returned; Checkov's reports say which results count (a suppressed
result is SKIPPED, not FAILED).
"""
from __future__ import annotations

import contextlib
import fnmatch
import importlib
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Iterator

from kmsguard.adapters import base_check, terraform_scan
from kmsguard.model.fix_intents import Intent

PACK_CHECKS = ("CKV_KMSG_*", "CKV2_KMSG_*")
MARKER = "CKV_KMSG_1"


@dataclass(frozen=True)
class Finding:
    check_id: str
    framework: str  # terraform, terraform_plan or cloudformation
    file: str  # absolute path of the scanned file Checkov reports
    resource: str  # Checkov's resource name
    result: str  # PASSED, FAILED or SKIPPED
    details: tuple[str, ...]
    intents: tuple[Intent, ...] = ()
    instances: tuple[tuple[str, str], ...] = ()  # the model instances judged, as (root, address)


def ensure_loaded() -> None:
    """Register the pack's checks with Checkov's registries once (Checkov keeps one check per ID)."""
    from checkov.terraform.checks.resource.registry import resource_registry

    if any(c.id == MARKER for checks in resource_registry.checks.values() for c in checks):
        return
    package = importlib.import_module("kmsguard.custom_checks")
    resource_registry.load_external_checks(os.path.dirname(os.path.abspath(str(package.__file__))))


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    # The pack reads --var-file (and the scanned paths) from the command line, as under plain Checkov.
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


RUNNERS = ("terraform", "terraform_plan", "cloudformation")


def run(directories: list[str], files: list[str], checks: list[str] | None = None,
        skip_checks: list[str] | None = None, var_files: list[str] | None = None,
        frameworks: tuple[str, ...] = RUNNERS, roots: set[str] | None = None) -> list[Finding]:
    """Every PASSED, FAILED and SKIPPED result of the pack's checks on the given paths.

    ``roots``, when given, receives the Terraform roots the pack's model was read from.
    """
    from checkov.cloudformation.runner import Runner as CloudFormationRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner as PlanRunner
    from checkov.terraform.runner import Runner as TerraformRunner

    ensure_loaded()
    terraform_scan.prefetch(directories + files)  # the roots evaluated on the other core while Checkov parses
    wanted = list(checks or PACK_CHECKS)
    argv = ["checkov"] + [a for d in directories for a in ("-d", d)] + [a for f in files for a in ("-f", f)]
    argv += [a for v in var_files or [] for a in ("--var-file", v)]
    findings: list[Finding] = []
    runners = {"terraform": TerraformRunner, "terraform_plan": PlanRunner, "cloudformation": CloudFormationRunner}
    with _argv(argv), warnings.catch_warnings(), base_check.recording() as records:
        warnings.simplefilter("ignore")
        for framework in frameworks:
            runner_filter = RunnerFilter(framework=[framework], checks=wanted, skip_checks=skip_checks,
                                         var_files=var_files or None)
            targets = [(d, None) for d in directories] + ([(None, files)] if files else [])
            for root, some in targets:
                before, scan_before = len(records), terraform_scan.latest()
                report = runners[framework]().run(root_folder=root, files=some, runner_filter=runner_filter)
                for one in report if isinstance(report, list) else [report]:
                    findings += _findings(one, records[before:], framework, root)
                scanned = terraform_scan.latest()
                if roots is not None and framework == "terraform" and scanned is not None and scanned is not scan_before:
                    roots.update(scanned.roots)
    return [f for f in findings if any(fnmatch.fnmatchcase(f.check_id, p) for p in PACK_CHECKS)]


def _findings(report, records: list, framework: str, root: str | None) -> list[Finding]:
    verdicts: dict[tuple[str, str], list] = {}
    for record in records:
        verdicts.setdefault((record.check_id, record.address), []).append(record)
    found = []
    for outcome, items in (("PASSED", report.passed_checks), ("FAILED", report.failed_checks),
                           ("SKIPPED", report.skipped_checks)):
        for item in items:
            path = item.file_abs_path or (os.path.join(root, item.file_path.lstrip("/")) if root else item.file_path)
            match = _match(verdicts, item, path, outcome)
            intents = tuple(match.verdict.intents) if match is not None and outcome == "FAILED" else ()
            instances = match.verdict.instances if match is not None else ()
            found.append(Finding(item.check_id, framework, os.path.abspath(path), item.resource, outcome,
                                 tuple(item.details or ()), intents, instances))
    return found


def _match(verdicts: dict, item, path: str, outcome: str):
    """The recorded verdict of a report item: by address (Terraform) or by the template entity (CloudFormation)."""
    candidates = verdicts.get((item.check_id, item.resource))
    if candidates is not None:  # the same address in another root's file is another resource
        candidates = [r for r in candidates if r.file == item.file_path]
    else:
        logical = item.resource.rsplit(".", 1)[-1]
        candidates = [r for (check, where), found in verdicts.items() if check == item.check_id
                      and where.endswith(":" + logical) for r in found]
        same_file = [r for r in candidates if path.endswith(r.file.lstrip("/"))]
        candidates = same_file or candidates
    alike = [r for r in candidates or [] if r.result.name == outcome]
    return alike[-1] if alike else None

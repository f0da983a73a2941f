"""The patched copy judged again on the model alone: the pack's rules, without Checkov parsing the tree again.

``kmsguard fix`` needs, after patching a scratch copy, the verdicts of the
results it already has: which passed before, which it claims to fix. A
second Checkov scan of the copy would mostly parse again what the patch does
not change (Checkov's parse is most of a scan). So the Terraform roots the
first scan read are read again from the copy, by the reader the checks use,
and each result's recorded instances are judged by its check's own
``judge_instances``: the same verdict Checkov would have asked for. Results
on templates are judged again by Checkov's CloudFormation runner when the
patch changed a template; plans are never edited, so their results stand.

When a result cannot be mapped into the copy this way (its root was not
read), ``rejudge`` returns None and the caller rescans the copy with Checkov.
"""
from __future__ import annotations

import functools
import os
from collections import defaultdict
from typing import Callable

from checkov.common.models.enums import CheckResult
from checkov.terraform.checks.resource.registry import resource_registry

from kmsguard.adapters.base_check import KmsguardCheck, Verdict, safely
from kmsguard.fix.scan import Finding
from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import TERRAFORM_SOURCES
from kmsguard.readers import background_evaluation, terraform


def rejudge(findings: list[Finding], roots: set[str], inside: Callable[[str], str], changed: set[str],
            var_files: list[str], templates: Callable[[], list[Finding]]) -> list[Finding] | None:
    """The findings' results on the copy ``inside`` maps into, after the files ``changed`` were patched there."""
    checks = {c.id: c for cs in resource_registry.checks.values() for c in cs if isinstance(c, KmsguardCheck)}
    on_terraform = [f for f in findings if f.framework == "terraform"]
    terraform_changed = any(path.endswith(TERRAFORM_SOURCES) for path in changed)
    if terraform_changed and not all(_placed(f, roots, checks) for f in on_terraform):
        return None
    template_changed = any(not path.endswith(TERRAFORM_SOURCES) for path in changed)
    results = [f for f in findings if f.framework == "terraform_plan"]
    results += templates() if template_changed else [f for f in findings if f.framework == "cloudformation"]
    return results + (_terraform(on_terraform, roots, inside, var_files, checks) if terraform_changed
                      else on_terraform)


def _placed(finding: Finding, roots: set[str], checks: dict[str, KmsguardCheck]) -> bool:
    """Whether the copy can judge ``finding`` again: its check is loaded and its instances' roots were read."""
    if finding.result == "PASSED" and not finding.instances:
        return False  # a pass with nothing to judge again: only Checkov can say it still passes
    return finding.check_id in checks and all(root in roots for root, _ in finding.instances)


def _terraform(findings: list[Finding], roots: set[str], inside: Callable[[str], str], var_files: list[str],
               checks: dict[str, KmsguardCheck]) -> list[Finding]:
    model, failed = _read_copy(roots, inside, var_files)
    copies = {root: os.path.realpath(inside(root)) for root in roots}  # the copy of each root, as blocks name it
    real = functools.lru_cache(maxsize=None)(os.path.realpath)
    instances: dict[tuple[str, str], list[Block]] = defaultdict(list)
    for block in model.blocks:
        instances[(real(block.root), block.address)].append(block)

    def judge(finding: Finding, check: KmsguardCheck) -> Verdict:
        found: list[Block] = []
        for root, address in finding.instances:
            if root in failed:
                return Verdict.failed(f"kmsguard could not evaluate this resource: {failed[root]}")
            again = instances.get((copies[root], address))
            if not again:  # never judged on fewer instances than Checkov would ask about
                return Verdict.failed(f"kmsguard could not find {address} in the patched copy of {root}")
            found += again
        return check.judge_instances(found, model)

    results = []
    for finding in findings:
        if finding.result == "SKIPPED" or not finding.instances:
            results.append(finding)  # suppressed, or FAILED as not evaluable: the patch changes neither
            continue
        check = checks[finding.check_id]
        verdict = safely(check.id, check.SETTINGS, functools.partial(judge, finding, check), finding.resource)
        if verdict.result != CheckResult.UNKNOWN:  # UNKNOWN: Checkov reports no result for it
            results.append(Finding(finding.check_id, finding.framework, inside(finding.file), finding.resource,
                                   verdict.result.name, tuple(verdict.details), tuple(verdict.intents),
                                   verdict.instances))
    return results


def _read_copy(roots: set[str], inside: Callable[[str], str], var_files: list[str]
               ) -> tuple[ResourceGraph, dict[str, str]]:
    """The model of the copy's roots, and the roots (original path) whose copy could not be evaluated, with why."""
    blocks: list[Block] = []
    failed: dict[str, str] = {}
    mapped_vars = [inside(v) for v in var_files]
    # In a child interpreter, as the scan does: the evaluator's Go runtime must not load in a process that may
    # still fork Checkov's parsers (a later round's template rescan). In-process only when the child fails.
    try:
        evaluation: background_evaluation.Evaluation | None = background_evaluation.Evaluation(
            [inside(r) for r in sorted(roots)], mapped_vars)
    except OSError:
        evaluation = None
    for root in sorted(roots):
        try:
            evaluated = (evaluation.get(inside(root)) if evaluation else None) or \
                terraform.load(inside(root), mapped_vars)
            if isinstance(evaluated, terraform.EvaluationError):
                raise evaluated
            blocks += evaluated.blocks
        except terraform.EvaluationError as error:
            failed[root] = str(error)
    return ResourceGraph(blocks), failed

"""The patch scanned again before it is offered: the roles a bucket change affects, and what it fixes in passing.

A bucket that moves to a customer key takes its users with it; turning Bucket
Keys on changes the encryption context KMS sees (the bucket's ARN instead of
the object's), so a role whose grant is conditioned on the object ARN stops
working. Rather than guess those roles, the patched files are judged again in
a scratch copy of the tree (``rejudge``: the rules on a model read from the
copy), and every finding that PASSED before, or that the patch claims to fix,
and FAILS in the copy is fixed in the same patch (a few rounds, each on the
copy patched so far). When one of them cannot be fixed,
the bucket changes are not made (a fix that breaks a role that worked is a
defect) and the summary says why.

The same rescan tells which refused findings the patch makes pass anyway (a
delivery into a log target that moved to SSE-S3): the summary reports those
as fixed by that change, not as "not fixed".
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from typing import Callable

from kmsguard.fix import plan as planning
from kmsguard.fix import rejudge, scan, terraform_sites
from kmsguard.fix.diff import relative
from kmsguard.fix.scan import Finding
from kmsguard.model.fix_intents import Intent, NotFixable, SetAttribute, UseCustomerKey, subject

# (path mapper into the copy, the files patched there) -> the findings' results there
Rescan = Callable[[Callable[[str], str], set[str]], list[Finding]]
ROUNDS = 3  # a statement added in one round can need no further one; three is ample


def changes_encryption(intent: Intent) -> bool:
    """An intent that changes how a bucket's objects are encrypted, and so what its users need from KMS."""
    return isinstance(intent, UseCustomerKey) or (
        isinstance(intent, SetAttribute) and intent.path[-1:] == ("bucket_key_enabled",))


def _key(finding: Finding, outside: dict[str, str]) -> tuple[str, str, str]:
    path = os.path.realpath(finding.file)
    return finding.check_id, finding.resource, outside.get(path, path)


def complete(findings: list[Finding], result: planning.Plan, root: str, rescan: Rescan) -> planning.Plan:
    """``result`` with the statements its bucket changes need (or without those changes), and what it fixes in passing."""
    encryption = any(changes_encryption(i) for f in result.fixed for i in f.intents)
    if not result.changes or not (encryption or result.refused):
        return result
    base = os.path.realpath(root)
    with tempfile.TemporaryDirectory(prefix="kmsguard-fix-") as scratch:
        copy = os.path.join(scratch, "tree")
        shutil.copytree(base, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))

        def inside(path: str) -> str:
            relative_path = os.path.relpath(os.path.realpath(path), base)
            return path if relative_path.startswith("..") else os.path.join(copy, relative_path)

        outside = {os.path.realpath(inside(f.file)): os.path.realpath(f.file) for f in findings}
        wanted = {_key(f, outside) for f in findings if f.result == "PASSED"} | {_key(f, outside) for f in result.fixed}
        for path, (_, new) in result.changes.items():
            _write(inside(path), new)
        after = rescan(inside, set(result.changes))
        for _ in range(ROUNDS if encryption else 0):
            broken = [f for f in after if f.result == "FAILED" and _key(f, outside) in wanted]
            if not broken:
                break
            more = planning.make_plan(broken, copy)
            if more.refused or not more.changes:
                why = "; ".join(f"{f.resource}: {reason}" for f, reason in more.refused) or "no change makes it pass"
                return _without_encryption_changes(findings, root, rescan,
                                                   f"the bucket change would break {why}")
            for path, (_, new) in more.changes.items():
                original = os.path.join(base, os.path.relpath(path, copy))
                old = result.changes.get(original, (None,))[0]
                result.changes[original] = (terraform_sites.read(original) if old is None else old, new)
                _write(path, new)
            after = rescan(inside, set(result.changes))
        _passing_anyway(result, after, outside, root)
    return result


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _passing_anyway(result: planning.Plan, after: list[Finding], outside: dict[str, str], root: str) -> None:
    """Move the refused findings that PASS after the patch to ``fixed_by``, naming the change that did it."""
    passing = {_key(f, outside) for f in after if f.result == "PASSED"}
    changed: dict[str, str] = {}  # subject address -> file, for every fixed finding's intents
    for finding in result.fixed:
        for intent in finding.intents:
            block = subject(intent)
            if block is not None:
                changed.setdefault(block.address, block.file_path)
    still = []
    for finding, reason in result.refused:
        if _key(finding, {}) not in passing and _key(finding, outside) not in passing:
            still.append((finding, reason))
            continue
        named = [address for address in changed if any(address in d for d in finding.details)
                 and not finding.resource.endswith(address)]  # the change to another resource, not its own
        what = ", ".join(named) or ", ".join(sorted(relative(path, root) for path in result.changes))
        result.fixed_by.append((finding, f"fixed by the change to {what}"))
    result.refused = still


def _without_encryption_changes(findings: list[Finding], root: str, rescan: Rescan, reason: str) -> planning.Plan:
    kept = [dataclasses.replace(f, intents=(NotFixable(reason),))
            if any(changes_encryption(i) for i in f.intents) else f for f in findings]
    result = planning.make_plan(kept, root)
    return complete(kept, result, root, rescan)


def fix_plan(directories: list[str], files: list[str], root: str, checks: list[str] | None = None,
             skip_checks: list[str] | None = None, var_files: list[str] | None = None
             ) -> tuple[list[Finding], planning.Plan]:
    """Scan, plan the fixes, and complete them with the rescan: what ``kmsguard fix`` does."""
    var_files = var_files or []
    roots: set[str] = set()
    findings = scan.run(directories, files, checks, skip_checks, var_files, roots=roots)
    result = planning.make_plan(findings, root)

    def rescan(inside: Callable[[str], str], changed: set[str], frameworks: tuple[str, ...] = scan.RUNNERS
               ) -> list[Finding]:
        return scan.run([inside(d) for d in directories], [inside(f) for f in files], checks, skip_checks,
                        [inside(v) for v in var_files], frameworks)

    def on_model(inside: Callable[[str], str], changed: set[str]) -> list[Finding]:
        judged = rejudge.rejudge(findings, roots, inside, changed, var_files,
                                 lambda: rescan(inside, changed, ("cloudformation",)))
        return rescan(inside, changed) if judged is None else judged

    return findings, complete(findings, result, root, on_model)

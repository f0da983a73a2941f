"""A bucket that moves to a customer key takes its users with it: the roles that use it get their statements.

Before the move the roles need no KMS permission (``aws/s3`` and SSE-S3 need
none); after it, every role that reads or writes the bucket needs the key's
(CKV2_KMSG_2). Rather than guess those roles, the patched files are scanned
again in a scratch copy of the tree: every finding that PASSED before and
FAILS after is fixed in the same patch. When one of them cannot be fixed,
the migrations are not made (a fix that breaks a role that worked is a
defect) and the summary says why.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from typing import Callable

from kmsguard.fix import plan as planning
from kmsguard.fix import scan, terraform_sites
from kmsguard.fix.scan import Finding
from kmsguard.model.fix_intents import NotFixable, UseCustomerKey

Rescan = Callable[[Callable[[str], str]], list[Finding]]  # (path mapper into the copy) -> findings there


def complete(findings: list[Finding], result: planning.Plan, root: str, rescan: Rescan) -> planning.Plan:
    """``result`` with the statements that the migrations it makes need, or without those migrations."""
    if not any(isinstance(i, UseCustomerKey) for f in result.fixed for i in f.intents):
        return result
    base = os.path.realpath(root)
    with tempfile.TemporaryDirectory(prefix="kmsguard-fix-") as scratch:
        copy = os.path.join(scratch, "tree")
        shutil.copytree(base, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))

        def inside(path: str) -> str:
            relative = os.path.relpath(os.path.realpath(path), base)
            return path if relative.startswith("..") else os.path.join(copy, relative)

        for path, (_, new) in result.changes.items():
            with open(inside(path), "w", encoding="utf-8", newline="") as handle:
                handle.write(new)
        before = {(f.check_id, f.resource, os.path.realpath(f.file)) for f in findings if f.result == "PASSED"}
        outside = {os.path.realpath(inside(f.file)): os.path.realpath(f.file) for f in findings}
        broken = [f for f in rescan(inside) if f.result == "FAILED"
                  and (f.check_id, f.resource, outside.get(os.path.realpath(f.file), "")) in before]
        if not broken:
            return result
        second = planning.make_plan(broken, copy)
        if second.refused:
            reasons = "; ".join(f"{f.resource}: {why}" for f, why in second.refused)
            return _without_migrations(findings, root, f"moving the bucket to a customer key would break {reasons}")
        for path, (_, new) in second.changes.items():
            original = os.path.join(base, os.path.relpath(path, copy))
            old = result.changes.get(original, (None,))[0]
            result.changes[original] = (terraform_sites.read(original) if old is None else old, new)
    return result


def _without_migrations(findings: list[Finding], root: str, reason: str) -> planning.Plan:
    kept = [dataclasses.replace(f, intents=(NotFixable(reason),))
            if any(isinstance(i, UseCustomerKey) for i in f.intents) else f for f in findings]
    return planning.make_plan(kept, root)


def fix_plan(directories: list[str], files: list[str], root: str, checks: list[str] | None = None,
             skip_checks: list[str] | None = None, var_files: list[str] | None = None
             ) -> tuple[list[Finding], planning.Plan]:
    """Scan, plan the fixes, and complete the migrations with their users: what ``kmsguard fix`` does."""
    var_files = var_files or []
    findings = scan.run(directories, files, checks, skip_checks, var_files)
    result = planning.make_plan(findings, root)
    return findings, complete(findings, result, root, lambda inside: scan.run(
        [inside(d) for d in directories], [inside(f) for f in files], checks, skip_checks,
        [inside(v) for v in var_files]))

"""``kmsguard fix``: print (or write) the edits that make the pack's findings pass.

``kmsguard fix [-d DIR | -f FILE]... [--check IDS] [--skip-check IDS] [--write] [--var-file F] [CHANGED FILE...]``

Trailing file names (as pre-commit passes them) fix the Terraform roots that
hold them (a local module through the roots that call it) and the other files
themselves; without any path, the working directory is fixed.

stdout: a unified diff that ``git apply`` accepts from the repository root
(the enclosing git work tree, or the working directory outside git). stderr:
how many findings the diff fixes, and each finding it does not fix, with the
reason. Exit codes: 1 when there is a diff, 0 when there is none; with
``--write`` the diff is applied in place and the exit code is 0. Findings that
cannot be fixed never change the exit code. Bad input: one line, exit 2.
"""
from __future__ import annotations

import argparse
import os
import sys

from kmsguard import settings
from kmsguard.fix import diff, plan, terraform_sites, users
from kmsguard.model.values import TERRAFORM_FILES
from kmsguard.readers.terraform_roots import RootFinder, enclosing_repository


class FixUsageError(Exception):
    """A bad command line; the command prints it on one line and exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage text
        raise FixUsageError(message)


def _ids(values: list[str] | None) -> list[str] | None:
    found = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    return found or None


def terraform_roots(changed: set[str]) -> list[str]:
    """The roots that create the changed directories' resources (a local module: the roots that call it)."""
    finder = RootFinder(top=enclosing_repository(".") or ".")
    return sorted({os.path.relpath(root) for directory in changed for root in finder.roots_of(directory)})


def parse(args: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="kmsguard fix", description="Write the edits that make kmsguard's findings pass.")
    parser.add_argument("-d", "--directory", action="append", default=[], help="directory to fix (repeatable)")
    parser.add_argument("-f", "--file", action="append", default=[], help="file to fix (repeatable)")
    parser.add_argument("--check", action="append", help="only these check IDs (comma-separated, wildcards)")
    parser.add_argument("--skip-check", action="append", help="not these check IDs (comma-separated, wildcards)")
    parser.add_argument("--var-file", action="append", default=[], help="Terraform variable file, as for a scan")
    parser.add_argument("--write", action="store_true", help="apply the changes in place instead of printing them")
    parser.add_argument("changed", nargs="*", help="changed files (pre-commit): fix the roots that hold them")
    options = parser.parse_args(args)
    terraform = [path for path in options.changed if path.endswith(TERRAFORM_FILES)]
    options.directory += terraform_roots({os.path.normpath(os.path.dirname(path) or ".") for path in terraform})
    options.file += [path for path in options.changed if path not in terraform and os.path.isfile(path)]
    for directory in options.directory:
        if not os.path.isdir(directory):
            raise FixUsageError(f"directory not found: {directory}")
    for path in options.file + options.var_file:
        if not os.path.isfile(path):
            raise FixUsageError(f"file not found: {path}")
    if not options.directory and not options.file and not options.changed:
        options.directory = ["."]
    checks, skipped = _ids(options.check), _ids(options.skip_check)
    if checks and skipped and set(checks) & set(skipped):
        raise FixUsageError("--check and --skip-check name the same IDs")
    options.check, options.skip_check = checks, skipped
    return options


def summary(result: plan.Plan, root: str) -> str:
    lines = []
    files = len(result.changes)
    count = len(result.fixed) + len(result.fixed_by)
    lines.append(f"kmsguard fix: {count} finding(s) fixed in {files} file(s)"
                 if count else "kmsguard fix: nothing to fix automatically")
    for finding, how in result.fixed_by:  # made to pass by another finding's change
        lines.append(f"fixed: {finding.check_id} {finding.resource} ({diff.relative(finding.file, root)}): {how}")
    for finding, reason in result.refused:
        lines.append(f"not fixed: {finding.check_id} {finding.resource} ({diff.relative(finding.file, root)}): {reason}")
    return "\n".join(lines) + "\n"


def run(args: list[str]) -> int:
    try:
        options = parse(args)
    except FixUsageError as error:
        print(f"kmsguard: error: {error}", file=sys.stderr)
        return 2
    try:
        settings.validate_all()
    except settings.SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
    root = diff.repository_root(".")
    var_files = [os.path.abspath(v) for v in options.var_file]
    terraform_sites.VAR_FILES[:] = var_files
    directories, files = [os.path.abspath(d) for d in options.directory], [os.path.abspath(f) for f in options.file]
    # The roles that use a bucket moved to a customer key get their statements in the same patch.
    _, result = users.fix_plan(directories, files, root, options.check, options.skip_check, var_files)
    if options.write:
        try:
            diff.write(result.changes)
        except diff.WriteError as error:
            print(f"kmsguard: error: {error}", file=sys.stderr)
            return 2
        sys.stderr.write(summary(result, root))
        return 0
    patch = diff.unified(result.changes, root)
    sys.stdout.write(patch)
    sys.stdout.flush()
    sys.stderr.write(summary(result, root))
    return 1 if patch else 0

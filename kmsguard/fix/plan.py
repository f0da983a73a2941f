"""From findings with fix intents to new file contents, and the findings that will not be fixed, with reasons.

Every FAILED finding either gets all its edits or none. A file is either
fully fixed or untouched: when an edit to a file cannot be made, or two
findings want contradictory values at the same place, every finding with an
edit in that file is refused, and so are its edits in other files; that
repeats until what is left applies cleanly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from kmsguard.fix import template_intents, terraform_edits, terraform_keys, terraform_sites, terraform_statements
from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_text import HclSyntaxError
from kmsguard.fix.scan import Finding
from kmsguard.fix.terraform_sites import Edit
from kmsguard.model.fix_intents import (
    AddKeyPolicyStatement,
    AddRoleStatement,
    Intent,
    NotFixable,
    SetAttribute,
    UseCustomerKey,
    subject,
)
from kmsguard.model.values import framework_of

# Further intent kinds register a handler: intent -> edits (raising EditRefused when it cannot be fixed).
HANDLERS: dict[type, Callable[[Any], list[Edit]]] = {AddKeyPolicyStatement: terraform_statements.key_policy_edits,
                                                UseCustomerKey: terraform_keys.edits}


@dataclass
class Plan:
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (old text, new text)
    fixed: list[Finding] = field(default_factory=list)
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    # Refused findings that PASS once the patch is applied: made to pass by another change (with which one).
    fixed_by: list[tuple[Finding, str]] = field(default_factory=list)


def make_plan(findings: list[Finding], root: str | None = None) -> Plan:
    """The changes for every FAILED finding that can be fixed; ``root``: no file outside it is edited."""
    plan = Plan()
    wanted: dict[int, list[Edit]] = {}
    failed = [f for f in findings if f.result == "FAILED"]
    for number, finding in enumerate(failed):
        try:
            wanted[number] = edits_for(finding)
            for edit in wanted[number]:
                _check_writable_place(edit.file, root)
        except EditRefused as error:
            wanted.pop(number, None)
            plan.refused.append((finding, str(error)))
    while True:
        bad = _settle(wanted, plan)
        if not bad:
            break
        for number, reason in bad.items():
            plan.refused.append((failed[number], reason))
            del wanted[number]
    plan.changes = {f: texts for f, texts in plan.changes.items() if texts[0] != texts[1]}
    plan.fixed = [failed[n] for n in sorted(wanted)]
    return plan


def _settle(wanted: dict[int, list[Edit]], plan: Plan) -> dict[int, str]:
    """Apply the wanted edits file by file into ``plan.changes``; the findings whose file refused, with why."""
    by_file: dict[str, list[tuple[int, Edit]]] = {}
    for number, edits in wanted.items():
        for edit in edits:
            by_file.setdefault(edit.file, []).append((number, edit))
    bad: dict[int, str] = {}
    plan.changes = {}
    for file, numbered in sorted(by_file.items()):
        try:
            plan.changes[file] = _apply(file, [edit for _, edit in numbered])
        except EditRefused as error:
            for number, _ in numbered:
                bad.setdefault(number, f"{_short(file)} left untouched: {error}")
    return bad


def edits_for(finding: Finding) -> list[Edit]:
    """Every edit the finding's intents need, or EditRefused with the reason."""
    if not finding.intents:
        first = finding.details[0] if finding.details else "no details"
        raise EditRefused(f"no automatic fix for this finding ({first})")
    reasons = [i.reason for i in finding.intents if isinstance(i, NotFixable)]
    if reasons:
        raise EditRefused("; ".join(reasons))
    edits: list[Edit] = []
    roles: dict[int, list[AddRoleStatement]] = {}  # a role's statements are written together
    for intent in finding.intents:
        block = subject(intent)
        kind = framework_of(block) if block is not None else "terraform"
        if kind == "terraform_plan":
            raise EditRefused(f"a plan is never edited: change {_what(intent)} in the Terraform source "
                              f"that plans {block.address if block else 'this resource'}")
        if kind == "cloudformation":
            edits += template_intents.edits_for(intent)
        elif isinstance(intent, SetAttribute):
            edits.append(terraform_sites.value_site(intent.block, intent.path, terraform_edits.render(intent.value)))
        elif isinstance(intent, AddRoleStatement):
            roles.setdefault(id(intent.role), []).append(intent)
        elif type(intent) in HANDLERS:
            edits += HANDLERS[type(intent)](intent)
        else:
            raise EditRefused(f"kmsguard fix does not write {type(intent).__name__} changes yet")
    for grouped in roles.values():
        edits += terraform_statements.role_edits(grouped[0].role, grouped)
    return edits


def _what(intent: Intent) -> str:
    if isinstance(intent, SetAttribute):
        return f"{intent.path[-1]} to {terraform_edits.render(intent.value)}"
    return getattr(intent, "reason", "") or type(intent).__name__


def _apply(file: str, edits: list[Edit]) -> tuple[str, str]:
    """The file's text before and after all ``edits`` (the same change asked twice is made once)."""
    try:
        old = terraform_sites.read(file)
    except (OSError, UnicodeDecodeError) as error:
        raise EditRefused(f"cannot read it ({error})") from error
    unique: dict[tuple, Edit] = {}
    for edit in edits:
        other = next((e for e in unique.values() if e.conflict == edit.conflict and e.key != edit.key), None)
        if other is not None:
            raise EditRefused(f"two findings want different values there ({other.what}; {edit.what})")
        unique.setdefault(edit.key, edit)
    text = old
    try:
        for edit in unique.values():
            node = None if edit.locator == ("template",) else terraform_sites.locate(text, edit.locator)
            text = edit.apply(text, node)  # type: ignore[arg-type]
        if file.endswith((".tf", ".tfvars")):
            terraform_edits.parse_check(text)
    except HclSyntaxError as error:
        raise EditRefused(f"it does not parse as HCL ({error})") from error
    return old, text


def _check_writable_place(file: str, root: str | None) -> None:
    if terraform_sites.downloaded(file):
        raise EditRefused(f"{_short(file)} was downloaded by terraform init or Checkov: kmsguard never edits it")
    real = os.path.realpath(file)
    if root is not None and os.path.commonpath([real, os.path.realpath(root)]) != os.path.realpath(root):
        where = "a symlink to a file" if os.path.islink(file) else "a file"
        raise EditRefused(f"{_short(file)} is {where} outside {_short(root)}: kmsguard edits only files inside it")


def _short(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path

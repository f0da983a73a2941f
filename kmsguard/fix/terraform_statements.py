"""IAM statements written into Terraform: a role's KMS permissions (CKV2_KMSG_2) and key policy statements.

Where a role's statement goes, as a maintainer would put it, first that fits:
a new ``statement {}`` block in the ``aws_iam_policy_document`` of the role's
own policy (an ``inline_policy`` or an ``aws_iam_role_policy`` for this role)
when nothing else uses that document; a new entry in the ``Statement`` list
of its ``jsonencode({...})`` policy; otherwise a new ``aws_iam_role_policy``
right after the role. How the key is named, first that works: a reference in
the role's module (the rule's statement already has it); ``module.m.OUTPUT``
when the key's module (called from the role's module) outputs its ARN; a new
output added to that module when it is local and has none; the rule's
``kms:ResourceAliases`` statement otherwise. Never a placeholder.
"""
from __future__ import annotations

import functools
import json
import os
import re
from typing import Any

from kmsguard.fix import terraform_edits, terraform_sites
from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_lists import append_item, statement_list
from kmsguard.fix.hcl_text import Attribute, Nested
from kmsguard.fix.terraform_sites import Edit, Locator
from kmsguard.model.fix_intents import AddKeyPolicyStatement, AddRoleStatement
from kmsguard.model.resources import Block, module_prefix

_ROLE_POLICY = "aws_iam_role_policy"
_DOCUMENT = re.compile(r"^data\.aws_iam_policy_document\.([\w-]+)\.json$")
_CHILD = re.compile(r"^module\.([\w-]+)(\[[^\]]*\])?\.$")
_ORDER = ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")


def role_edits(role: Block, intents: list[AddRoleStatement]) -> list[Edit]:
    """The edits that give ``role`` every statement of ``intents`` (one finding's, or one migration's)."""
    _check_source(role)
    edits: list[Edit] = []
    statements = []
    for intent in intents:
        statement, extra = _named(role, intent)
        statements.append(statement)
        edits += extra
    edits.append(_placement(role, statements))
    return edits


def key_policy_edits(intent: AddKeyPolicyStatement) -> list[Edit]:
    """A statement added to the key policy written in ``intent.key``'s ``policy`` (jsonencode or a document)."""
    key = intent.key
    _check_source(key)
    file = key.source[0]  # type: ignore[index]
    locator: Locator = ("resource", key.type, key.base_name)
    node = terraform_sites.locate(terraform_sites.read(file), locator)
    policy = terraform_edits.attribute(node, "policy")
    statement = _ordered(intent.statement)
    if policy is None:
        raise EditRefused(f"{key.address} has no policy argument (a key policy set elsewhere or the default one): "
                          f"add this statement to its key policy: {json.dumps(statement)}")
    expression = policy.value(terraform_sites.read(file))
    document = _DOCUMENT.match(expression)
    if document:
        return [_document_edit(key, document.group(1), [statement], f"{key.address} key policy")]
    return [_jsonencode_edit(file, locator, (), "policy", [statement], f"{key.address} key policy")]


def _check_source(block: Block) -> None:
    if block.source is None:
        raise EditRefused(f"kmsguard does not know where {block.address} is written")
    if terraform_sites.downloaded(block.source[0]):
        raise EditRefused(f"{block.address} is in a downloaded module ({block.source[0]}), which kmsguard never "
                          "edits: add the statement upstream or in a policy of your own")


# --- how the key is named ----------------------------------------------------------------------

def _named(role: Block, intent: AddRoleStatement) -> tuple[dict, list[Edit]]:
    """The statement with the key named from the role's module, and any output that naming needs."""
    statement = _ordered(intent.statement)
    key = intent.key
    if isinstance(key, Block) and key.source is not None and module_prefix(key.address) != module_prefix(role.address):
        found = _module_output(role, key)
        if found is not None:
            reference, edits = found
            return _ordered({"Effect": "Allow", "Action": statement.get("Action"),
                             "Resource": "${" + reference + "}"}), edits
    if "Resource" not in statement:
        where = key.address if isinstance(key, Block) else "the key"
        raise EditRefused(f"{role.address} cannot name {where} from its module: give the key's module an output "
                          "with the key's ARN and grant on it")
    return statement, []


def _module_output(role: Block, key: Block) -> tuple[str, list[Edit]] | None:
    """``module.m.OUTPUT`` for a key in a module the role's module calls (adding the output to a local module)."""
    outer, inner = module_prefix(role.address), module_prefix(key.address)
    child = _CHILD.match(inner[len(outer):]) if inner.startswith(outer) else None
    if child is None:
        return None
    calls = re.findall(r"module\.([\w-]+)", inner)
    try:
        directory = terraform_sites.module_dir(key.root, calls)
    except EditRefused:
        return None
    call = f"module.{child.group(1)}{child.group(2) or ''}"
    wanted = {f"aws_kms_key.{key.name}.arn", f"{key.type}.{key.name}.arn"}
    names = set()
    for file in terraform_sites._module_files(directory):
        for item in terraform_sites.items_of(file):
            if isinstance(item, Nested) and item.type == "output" and item.labels:
                names.add(item.labels[0])
                value = terraform_edits.attribute(item, "value")
                if value is not None and value.value(terraform_sites.read(file)).strip() in wanted:
                    return f"{call}.{item.labels[0]}", []
    if terraform_sites.downloaded(directory):
        return None  # a registry module without the output: the rule's alias statement
    name = "key_arn" if key.base_name == "this" else f"{key.base_name}_key_arn"
    if name in names:
        return None
    outputs = os.path.join(directory, "outputs.tf")
    file = outputs if os.path.isfile(outputs) else key.source[0]  # type: ignore[index]
    text = (f'output "{name}" {{\n  description = "ARN of the KMS key {key.type}.{key.name}."\n'
            f"  value       = {key.type}.{key.name}.arn\n}}\n")

    def apply(old: str, _node: Nested) -> str:
        newline = terraform_edits.newline_of(old)
        body = old if old.endswith("\n") or not old else old + newline
        return body + (newline if body else "") + text.replace("\n", newline)

    where = (os.path.realpath(file), "output", name)
    return f"{call}.{name}", [Edit(file, ("file",), where + (key.address,), where, apply, f"output {name}")]


# --- where the statement goes ------------------------------------------------------------------

def _placement(role: Block, statements: list[dict]) -> Edit:
    file = role.source[0]  # type: ignore[index]
    what = f"{role.address} KMS statement"
    candidates = _role_policies(role)
    for path, _locator, _nested, policy in candidates:
        document = _DOCUMENT.match(policy.value(terraform_sites.read(path)))
        if document and _uses(os.path.dirname(path), f"data.aws_iam_policy_document.{document.group(1)}.") == 1:
            return _document_edit(role, document.group(1), statements, what)
    for path, locator, nested, policy in candidates:
        text = terraform_sites.read(path)
        try:
            statement_list(text, policy.value_start, policy.value_end)
        except EditRefused:
            continue
        return _jsonencode_edit(path, locator, nested, "policy", statements, what)
    if role.name != role.base_name:
        raise EditRefused(f"{role.address} is one of several instances (count/for_each) and has no policy of its "
                          f"own to extend: add {json.dumps(statements)} to its policy by hand")
    return _new_role_policy(file, role, statements, what)


def _role_policies(role: Block) -> list[tuple[str, Locator, tuple, Attribute]]:
    """(file, block locator, nested path, policy attribute) of each inline or aws_iam_role_policy of the role."""
    file = role.source[0]  # type: ignore[index]
    locator: Locator = ("resource", role.type, role.base_name)
    node = terraform_sites.locate(terraform_sites.read(file), locator)
    found: list[tuple[str, Locator, tuple, Attribute]] = []
    inline = [i for i in node.items if isinstance(i, Nested) and i.type == "inline_policy"]
    for index, block in enumerate(inline):
        policy = terraform_edits.attribute(block, "policy")
        if policy is not None:
            found.append((file, locator, ("inline_policy", index), policy))
    for path, label, policy in _role_policy_index(os.path.dirname(file)).get(role.base_name, []):
        found.append((path, ("resource", _ROLE_POLICY, label), (), policy))
    return found


_ROLE_TARGET = re.compile(r"^aws_iam_role\.([\w-]+)(?:\[[^\]]*\])?\.(?:id|name)$")


def _role_policy_index(directory: str) -> dict[str, list[tuple[str, str, Attribute]]]:
    """Role name -> (file, label, policy attribute) of each aws_iam_role_policy in the directory naming the role."""
    files = terraform_sites._module_files(directory)
    return _indexed(tuple((path, terraform_sites.stamp(path)) for path in files))


@functools.lru_cache(maxsize=64)
def _indexed(files: tuple[tuple[str, tuple], ...]) -> dict[str, list[tuple[str, str, Attribute]]]:
    index: dict[str, list[tuple[str, str, Attribute]]] = {}
    for path, _ in files:
        text = terraform_sites.read(path)
        for item in terraform_sites.items_of(path):
            if not (isinstance(item, Nested) and item.type == "resource" and item.labels[:1] == [_ROLE_POLICY]):
                continue
            target, policy = terraform_edits.attribute(item, "role"), terraform_edits.attribute(item, "policy")
            if target is None or policy is None:
                continue
            named = _ROLE_TARGET.match(target.value(text))
            if named:
                index.setdefault(named.group(1), []).append((path, item.labels[1], policy))
    return index


def _uses(directory: str, prefix: str) -> int:
    return sum(terraform_sites.read(p).count(prefix) for p in terraform_sites._module_files(directory))


def _jsonencode_edit(file: str, locator: Locator, nested: tuple, name: str, statements: list[dict],
                     what: str) -> Edit:
    def apply(text: str, node: Nested) -> str:
        for statement in statements:
            container = terraform_edits.find_nested(text, node, nested) if nested else node
            policy = terraform_edits.attribute(container, name)
            if policy is None:
                raise EditRefused(f"{what}: the policy is no longer there")
            unit = terraform_edits.body_unit(text, node)
            text = append_item(text, statement_list(text, policy.value_start, policy.value_end), statement, unit)
            node = terraform_sites.locate(text, locator)
        return text

    key = (os.path.realpath(file), locator, nested, json.dumps(statements, sort_keys=True))
    return Edit(file, locator, key, key, apply, what)


def _document_edit(holder: Block, name: str, statements: list[dict], what: str) -> Edit:
    directory = os.path.dirname(holder.source[0])  # type: ignore[index]
    locator: Locator = ("data", "aws_iam_policy_document", name)
    declared = terraform_sites._declared(directory, locator)
    if declared is None:
        raise EditRefused(f"data.aws_iam_policy_document.{name} is not found beside {holder.address}")
    file, node = declared
    if any(isinstance(i, Nested) and i.type == "dynamic" for i in node.items):
        raise EditRefused(f"data.aws_iam_policy_document.{name} has dynamic blocks: add the statement by hand")

    def apply(text: str, found: Nested) -> str:
        unit = terraform_edits.body_unit(text, found)
        for statement in statements:
            text = terraform_edits.insert_lines(text, found, [statement_block(statement, unit)])
            found = terraform_sites.locate(text, locator)
        return text

    key = (os.path.realpath(file), locator, json.dumps(statements, sort_keys=True))
    return Edit(file, locator, key, key, apply, what)


def _new_role_policy(file: str, role: Block, statements: list[dict], what: str) -> Edit:
    locator: Locator = ("resource", role.type, role.base_name)
    label = f"{role.base_name}_kms"

    def apply(text: str, node: Nested) -> str:
        mine: Locator = ("resource", _ROLE_POLICY, label)
        try:
            existing = terraform_sites.locate(text, mine)  # added by an earlier finding in this run
        except EditRefused:
            existing = None
        if existing is not None:
            return _jsonencode_edit(file, mine, (), "policy", statements, what).apply(text, existing)
        policy = {"Version": "2012-10-17", "Statement": statements}
        block = (f'resource "{_ROLE_POLICY}" "{label}" {{\n  name = "kms-access"\n'
                 f"  role = {role.type}.{role.base_name}.id\n  policy = jsonencode({terraform_edits.render(policy, '  ')})\n}}")
        return terraform_edits.add_after(text, node, block)

    key = (os.path.realpath(file), locator, "new policy", json.dumps(statements, sort_keys=True))
    return Edit(file, locator, key, key, apply, what)


# --- rendering -----------------------------------------------------------------------------------

def _ordered(statement: dict) -> dict:
    return {k: statement[k] for k in sorted(statement, key=lambda k: _ORDER.index(k) if k in _ORDER else 99)}


def statement_block(statement: dict, unit: str = "  ") -> str:
    """A JSON policy statement as an ``aws_iam_policy_document`` ``statement {}`` block."""
    names, values = [], []

    def add(name: str, value: Any) -> None:
        names.append(name)
        values.append(terraform_edits.render(value, unit, unit))

    if "Sid" in statement:
        add("sid", statement["Sid"])
    if statement.get("Effect", "Allow") != "Allow":
        add("effect", statement["Effect"])
    add("actions", _as_list(statement.get("Action")))
    add("resources", _as_list(statement.get("Resource")))
    body = terraform_edits.object_lines(names, values, unit)
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        for kind, who in principal.items():
            body += "\n" + _nested("principals", ["type", "identifiers"], [kind, _as_list(who)], unit)
    for test, variables in (statement.get("Condition") or {}).items():
        for variable, wanted in variables.items():
            body += "\n" + _nested("condition", ["test", "variable", "values"], [test, variable, _as_list(wanted)],
                                   unit)
    return "statement {\n" + body + "}"


def _nested(kind: str, names: list[str], values: list[Any], unit: str) -> str:
    rendered = [terraform_edits.render(v, unit * 2, unit) for v in values]
    return f"{unit}{kind} {{\n" + terraform_edits.object_lines(names, rendered, unit * 2) + f"{unit}}}\n"


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]

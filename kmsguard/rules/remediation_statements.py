"""The least-privilege statements a check prints (and the fixer writes) for a role that lacks KMS actions.

A statement names the key the way the role's own code can: a reference in the
same module or template, a literal ARN, or, for a key known only by alias, the
account's keys with a ``kms:ResourceAliases`` condition. Never a placeholder.
"""
from __future__ import annotations

import json
import re
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph, module_prefix
from kmsguard.model.values import framework_of, is_unresolved
from kmsguard.rules.encrypted_buckets import AliasKey
from kmsguard.rules.key_access import aliases_of
from kmsguard.rules.kms_arns import arn_parts, key_arn_parts
from kmsguard.rules.kms_needs import Need


def _cloudformation(block: Block) -> bool:
    return f"{block.type}.{block.name}" not in block.address


def _reference(target: Block, attribute: str, near: Block) -> Any:
    """How ``near``'s code refers to ``target.attribute``, or None when it cannot (another module)."""
    known = target.get(attribute)
    if isinstance(known, str) and known.startswith("arn:") and not is_unresolved(known):
        return known
    if _cloudformation(target):
        return {"Fn::GetAtt": [target.address, attribute.capitalize()]} if _cloudformation(near) else None
    module = module_prefix(target.address)
    if module != module_prefix(near.address):
        return None
    return "${" + target.address[len(module):] + "." + attribute + "}"


def lookup_reference(near: Block, graph: ResourceGraph, data_type: str, attribute: str) -> str | None:
    """``${data.<type>.<name>.<attribute>}`` when ``near``'s module reads that data source."""
    module = module_prefix(near.address)
    for block in graph.of_type(f"data.{data_type}"):
        if block.root == near.root and module_prefix(block.address) == module and not _cloudformation(block):
            return "${" + block.address[len(module):] + "." + attribute + "}"
    return None


def role_statement(role: Block, need: Need, actions: list[str], graph: ResourceGraph) -> tuple[dict | None, str]:
    """A statement for the role's policy that grants ``actions`` on the need's key, or None and why not."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions}
    key = need.key
    partition = lookup_reference(role, graph, "aws_partition", "partition") or "aws"
    account = lookup_reference(role, graph, "aws_caller_identity", "account_id")
    if isinstance(key, Block):
        reference = _reference(key, "arn", role)
        if reference is not None:
            statement["Resource"] = reference
            return statement, ""
        names = aliases_of(key, graph)
        if not names:
            return None, (f"{key.address} is in another module than the role: give its module an output with "
                          f"the key's arn and grant {', '.join(actions)} on that output")
        key = AliasKey(names[0], None)
    if isinstance(key, str):
        parts = key_arn_parts(key)
        if parts is not None and not arn_parts(key):  # a bare key ID: the key ARN with that ID
            statement["Resource"] = f"arn:{partition}:kms:*:{account or '*'}:{parts[5]}"
        else:
            statement["Resource"] = key
        return statement, ""
    if isinstance(key, AliasKey):
        alias_arn = arn_parts(key.arn) if key.arn else None
        owner = alias_arn[4] if alias_arn and alias_arn[4] else account or "*"
        statement["Resource"] = f"arn:{partition}:kms:*:{owner}:key/*"
        statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": key.name}}
        return statement, ""
    return None, "name the key (a default, a tfvars value or --var-file), then grant the role on its key ARN"


def key_policy_statement(role: Block, need: Need, actions: list[str], graph: ResourceGraph) -> dict | None:
    """A key policy statement naming the role, or None when the key's code cannot name it."""
    if not isinstance(need.key, Block):
        return None
    principal = _reference(role, "arn", need.key)
    if principal is None:
        name, account = role.get("name"), lookup_reference(need.key, graph, "aws_caller_identity", "account_id")
        partition = lookup_reference(need.key, graph, "aws_partition", "partition") or "aws"
        path = role.get("path") if isinstance(role.get("path"), str) else "/"
        if not isinstance(name, str) or is_unresolved(name) or account is None:
            return None
        principal = f"arn:{partition}:iam::{account}:role{path}{name}"
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}


def dumps(statement: dict, near: Block | None = None) -> str:
    """The statement as ``near``'s source writes it: JSON, or in a YAML template YAML with short-form tags."""
    if near is not None and framework_of(near) == "cloudformation" and not near.file_path.endswith(".json"):
        return _yaml(statement)
    return json.dumps(statement)


_PLAIN = re.compile(r"[A-Za-z][\w.:/@-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _yaml(value: Any) -> str:
    """One line of YAML flow style; ``{"Fn::GetAtt": ["Key", "Arn"]}`` is ``!GetAtt Key.Arn``."""
    if isinstance(value, dict) and len(value) == 1:
        name, argument = next(iter(value.items()))
        if name == "Fn::GetAtt" and isinstance(argument, list) and all(isinstance(a, str) for a in argument):
            return f"!GetAtt {_yaml('.'.join(argument))}"
        if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
            return f"!{name.removeprefix('Fn::')} {_yaml(argument)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(k)}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, str) and not (_PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS):
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value) if not isinstance(value, str) else value

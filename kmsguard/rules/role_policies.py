"""Which IAM policy documents reach each role, indexed once per scan.

A role's identity policies come from its ``inline_policy`` blocks and
``managed_policy_arns``, from ``aws_iam_role_policy``, and from
``aws_iam_role_policy_attachment`` / ``aws_iam_policy_attachment``. Roles and
policies are found by reference or by literal name; AWS managed policies by
ARN, from the data in ``aws_managed_policies``. A policy that cannot be found
or read becomes a problem in the role's document, never an empty grant.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import attribute_name, is_unresolved
from kmsguard.rules import aws_managed_policies
from kmsguard.rules.policy_documents import Document, Statement, merge, parse

ROLE = "aws_iam_role"
POLICY = "aws_iam_policy"
_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::[^:]*:role/(?:[^/]*/)*([\w+=,.@-]+)$")
_ATTACHMENTS = (("aws_iam_role_policy_attachment", "role"), ("aws_iam_policy_attachment", "roles"))


def role_documents(graph: ResourceGraph) -> dict[int, Document]:
    """id(role) -> every identity policy statement that reaches it, merged."""
    return graph.memo("role_policies.documents", _build)


def role_document(role: Block, graph: ResourceGraph) -> Document:
    return role_documents(graph).get(id(role), Document())


def assumptions_of(role: Block, graph: ResourceGraph) -> list[str]:
    """What was assumed, not read, about the role's policies (said in PASSED details)."""
    return list(dict.fromkeys(role_document(role, graph).assumptions))


def roles_named(graph: ResourceGraph, block: Block, attribute: str) -> list[Block]:
    """The roles an attribute of ``block`` names, by reference or by literal role name."""
    by_name = graph.memo("role_policies.roles_by_name", lambda g: _by_literal(g.of_type(ROLE), "name"))
    found = []
    for value in list_values(block.config.get(attribute)):
        hits = graph.resolve(block, attribute, (ROLE,), value)
        if not hits and isinstance(value, str):
            arn = _ROLE_ARN.match(value)  # a literal role ARN names the role by its name
            hits = [r for r in by_name.get(arn.group(1) if arn else value, []) if r.root == block.root]
        found += hits
    return found


def _build(graph: ResourceGraph) -> dict[int, Document]:
    documents: dict[int, list[Document]] = defaultdict(list)
    for role in graph.of_type(ROLE):
        for inline in role.config.get("inline_policy") or []:
            if isinstance(inline, dict) and inline.get("policy") is not None:
                documents[id(role)].append(parse(inline.get("policy"), role, "inline_policy",
                                                 f"{role.address} {attribute_name(role, 'inline_policy')}", graph))
        documents[id(role)].extend(_attached(graph, role, "managed_policy_arns"))
    for block in graph.of_type("aws_iam_role_policy"):
        document = parse(block.config.get("policy"), block, "policy", block.address, graph)
        for role in roles_named(graph, block, "role"):
            documents[id(role)].append(document)
    for attachment_type, attribute in _ATTACHMENTS:
        for block in graph.of_type(attachment_type):
            policies = _attached(graph, block, "policy_arn")
            for role in roles_named(graph, block, attribute):
                documents[id(role)].extend(policies)
    return {role: merge(found) for role, found in documents.items()}


def _attached(graph: ResourceGraph, block: Block, attribute: str) -> list[Document]:
    """The documents of the policies an attribute attaches: resources in the scan or AWS managed ARNs."""
    result = []
    for value in list_values(block.config.get(attribute)):
        policies = graph.resolve(block, attribute, (POLICY,), value)
        if not policies and isinstance(value, str) and not is_unresolved(value):
            managed = _AWS_MANAGED_ARN.match(value)
            if managed:
                result.append(_aws_managed(managed.group(1), block, value))
                continue
            policies = _policies_by_name(graph).get(value.rsplit("/", 1)[-1], [])
        if not policies:
            result.append(Document(problems=[f"{block.address}: policy {value!r} is not in this scan"]))
        result.extend(_policy_document(graph, policy) for policy in policies)
    return result


def _policy_document(graph: ResourceGraph, policy: Block) -> Document:
    # One policy may be attached to many roles: parse it once per scan.
    return graph.memo(("role_policies.policy", id(policy)),
                      lambda g: parse(policy.config.get("policy"), policy, "policy", policy.address, g))


def _policies_by_name(graph: ResourceGraph) -> dict[str, list[Block]]:
    return graph.memo("role_policies.policies_by_name", lambda g: _by_literal(g.of_type(POLICY), "name"))


def _aws_managed(name: str, block: Block, arn: str) -> Document:
    raw = aws_managed_policies.STATEMENTS.get(name)
    if raw is None:
        return Document(assumptions=[f"AWS managed policy {arn} is assumed to grant no S3 object access"])
    return Document(statements=[_managed_statement(s, block, arn) for s in raw])


def _managed_statement(raw: dict[str, Any], block: Block, arn: str) -> Statement:
    def lower(key: str) -> tuple[str, ...] | None:
        return tuple(a.lower() for a in raw[key]) if key in raw else None

    return Statement(raw["Effect"], lower("Action"), lower("NotAction"), ("*",), None, (), False, block, "policy_arn", arn)


def _by_literal(blocks: list[Block], attribute: str) -> dict[str, list[Block]]:
    index: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        value = block.get(attribute)
        if isinstance(value, str) and not is_unresolved(value):
            index[value].append(block)
    return index


def list_values(value: Any) -> list[Any]:
    """The items of a list attribute; Checkov sometimes nests them, so flatten and de-duplicate."""
    if isinstance(value, list):
        flat = [v for item in value for v in list_values(item)]
        return list(dict.fromkeys(flat)) if all(isinstance(v, str) for v in flat) else flat
    return [] if value is None else [value]

"""Whether a role may use a KMS key for what it needs: its IAM policies and the key's policy.

AWS facts (KMS developer guide, "Key policies", "Default key policy",
"Specifying KMS keys in IAM policy statements"; IAM user guide, "Policy
evaluation logic"): in an IAM policy only a key ARN, a wildcard ARN or "*"
names a key, never an alias ARN or key ID. IAM policies count only when the
key policy lets the account (its root principal) delegate; a key policy that
names the role grants on its own. An explicit Deny wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.encrypted_buckets import Key, UnknownKey
from kmsguard.graph import Block, ResourceGraph
from kmsguard.keys import KEY_RESOURCES
from kmsguard.kms_needs import Need
from kmsguard.policy_documents import Document, Statement, iam_glob, parse
from kmsguard.references import is_unresolved, references_in, unwrap
from kmsguard.role_policies import ROLE, role_document

_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:iam::[^:/]+:root|\d{12})$")


@dataclass
class Access:
    missing: list[str] = field(default_factory=list)  # KMS actions the role lacks on the key
    only_star: bool = False  # granted, but only through Resource "*"
    iam_ignored: list[str] = field(default_factory=list)  # actions IAM grants but the key policy does not delegate
    problems: list[str] = field(default_factory=list)  # what could not be read


def key_policies(graph: ResourceGraph) -> dict[int, Document]:
    """id(key) -> its key policy, for keys that set one."""
    return graph.memo("key_access.key_policies", _build_key_policies)


def _build_key_policies(graph: ResourceGraph) -> dict[int, Document]:
    policies: dict[int, Document] = {}
    for key in graph.of_type("aws_kms_key"):
        if key.config.get("policy") is not None:
            policies[id(key)] = parse(key.config.get("policy"), key, "policy", key.address, graph)
    for block in graph.of_type("aws_kms_key_policy"):
        document = parse(block.config.get("policy"), block, "policy", block.address, graph)
        for key in graph.resolve(block, "key_id", KEY_RESOURCES, unwrap(block.config.get("key_id"))):
            policies[id(key)] = document  # it replaces the key's own policy
    return policies


def access_to_key(role: Block, need: Need, graph: ResourceGraph) -> Access:
    """What the role lacks of ``need`` on its key, from its IAM policies and the key policy."""
    statements = role_document(role, graph).statements
    key_policy = key_policies(graph).get(id(need.key)) if isinstance(need.key, Block) else None
    key_statements = key_policy.statements if key_policy else []
    delegates = key_policy is None or bool(key_policy.problems)  # no readable key policy: assume the default
    access = Access(problems=list(key_policy.problems) if key_policy else [])
    for action in sorted(need.actions):
        identity = [s for s in statements if s.allow and s.covers_action(action) and _covers_key(s, need.key, graph)]
        direct = [s for s in key_statements if s.allow and s.covers_action(action) and _names_role(s, role, graph)]
        denied = any(_unconditional_deny(s, action) and _covers_key(s, need.key, graph) for s in statements) or any(
            _unconditional_deny(s, action) and _names_role(s, role, graph) for s in key_statements)
        if identity and not delegates and not any(
                s.allow and s.covers_action(action) and _names_account(s) for s in key_statements):
            access.iam_ignored.append(action)
            identity = []
        if not (identity or direct) or denied:
            access.missing.append(action)
        elif not direct and all(s.resources == ("*",) for s in identity):
            access.only_star = True
    return access


def _unconditional_deny(statement: Statement, action: str) -> bool:
    return not statement.allow and not statement.conditional and statement.covers_action(action)


def _covers_key(statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if statement.resources is None:
        return not any(_names_key(r, statement, key, graph) for r in statement.not_resources or ())
    return any(_names_key(r, statement, key, graph) for r in statement.resources)


def _names_key(resource: Any, statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    targets = graph.targets(statement.holder, statement.label, resource, None)
    if targets:
        # Only the key ARN names a key in an IAM policy; an alias ARN or key ID does not.
        return any(t.block is key and t.attribute == "arn" for t in targets)
    if is_unresolved(resource):
        return False
    if isinstance(key, str):
        return iam_glob(key, resource)
    if isinstance(key, UnknownKey):
        return covers_every_key(resource)
    known_arn = key.get("arn")  # only a plan of existing keys knows it; the HCL never does
    if isinstance(known_arn, str) and known_arn.startswith("arn:") and not is_unresolved(known_arn):
        return iam_glob(known_arn, resource)
    # A key created in this scan has an ARN unknown until apply: a pattern covers it
    # when it covers every key ARN (region and account are not known here either).
    return covers_every_key(resource)


def covers_every_key(resource: str) -> bool:
    """Whether an IAM Resource pattern covers every KMS key ARN (``arn:aws:kms:*:*:key/*``)."""
    parts = resource.split(":", 5)
    return resource.startswith("arn:") and len(parts) == 6 and iam_glob("kms", parts[2]) and parts[5] in ("*", "key/*")


def names_account(principal: Any) -> bool:
    """Whether a key policy principal is an account (its root ARN or bare account ID)."""
    return isinstance(principal, str) and bool(_ACCOUNT_PRINCIPAL.match(principal))


def _names_account(statement: Statement) -> bool:
    return any(names_account(p) for p in statement.principals)


def _names_role(statement: Statement, role: Block, graph: ResourceGraph) -> bool:
    for principal in statement.principals:
        if principal == "*":
            return True
        if not isinstance(principal, str):
            continue
        if any(r.type == ROLE for r in references_in(principal)):
            if role in graph.resolve(statement.holder, statement.label, (ROLE,), principal):
                return True
            continue
        if role_arn_names(principal, role.get("name")):
            return True
    return False


def role_arn_names(principal: str, role_name: Any) -> bool:
    """Whether a literal role ARN principal names the role called ``role_name`` (any path)."""
    return isinstance(role_name, str) and bool(
        re.search(r":role/(?:.*/)?" + re.escape(role_name) + r"$", principal))

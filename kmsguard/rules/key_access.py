"""Whether a role may use a KMS key for what it needs: its IAM policies, the key's policy, and KMS grants.

AWS facts (KMS developer guide, "Key policies", "Default key policy",
"Specifying KMS keys in IAM policy statements", "Grants in AWS KMS", "Use
aliases to control access to KMS keys"; IAM user guide, "Policy evaluation
logic"): in an IAM policy only a key ARN, a wildcard ARN or "*" names a key,
never an alias ARN or key ID. IAM policies count only when the key policy
lets the account (its root principal) delegate; a key policy that names the
role grants on its own, and so does a grant whose grantee is the role. A
statement on the account's keys conditioned on ``kms:ResourceAliases``
covers the keys with that alias, which is how a key known only by its alias
is granted; ``kms:RequestAlias`` matches only requests that name the alias,
and S3 decrypts with the key ID from the object's metadata. An explicit Deny
wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import is_unresolved, references_in, unwrap
from kmsguard.rules.encrypted_buckets import AliasKey, Key, UnknownKey
from kmsguard.rules.key_classes import KEY_RESOURCES
from kmsguard.rules.kms_arns import (
    LOOKUP_TEXT,
    arn_parts,
    every_key,
    key_arn_parts,
    lookup_kind,
    part_matches,
    parts_match,
    role_arn_names,
)
from kmsguard.rules.kms_grants import grant_covers, grants
from kmsguard.rules.kms_needs import Need
from kmsguard.rules.policy_documents import Document, Statement, iam_glob, parse
from kmsguard.rules.role_policies import ROLE, role_document

_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:iam::[^:/]+:root|\d{12})$")
_ALIAS_OPERATORS = ("foranyvalue:stringequals", "foranyvalue:stringlike", "foranyvalue:stringequalsignorecase")


@dataclass
class Access:
    missing: list[str] = field(default_factory=list)  # KMS actions the role lacks on the key
    only_star: bool = False  # granted, but only through Resource "*"
    iam_ignored: list[str] = field(default_factory=list)  # actions IAM grants but the key policy does not delegate
    problems: list[str] = field(default_factory=list)  # what could not be read
    request_alias: list[str] = field(default_factory=list)  # allowed only through kms:RequestAlias, which S3 calls miss
    denied: dict[str, list[str]] = field(default_factory=dict)  # action -> the policies whose Deny takes it away


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
    """What the role lacks of ``need`` on its key, from its IAM policies, the key policy and grants."""
    statements = role_document(role, graph).statements
    key_policy = key_policies(graph).get(id(need.key)) if isinstance(need.key, Block) else None
    key_statements = key_policy.statements if key_policy else []
    delegates = key_policy is None or bool(key_policy.problems)  # no readable key policy: assume the default
    access = Access(problems=list(key_policy.problems) if key_policy else [])
    for action in sorted(need.actions):
        if isinstance(need.key, UnknownKey) and need.key.bucket:
            access.missing.append(action)  # the bucket's encryption could not be read: nothing is known to cover it
            continue
        allows = [s for s in statements if s.allow and s.covers_action(action) and _covers_key(s, need.key, graph)]
        identity = [s for s in allows if _applies_to_s3_call(s, action)]
        if allows and not identity:
            access.request_alias.append(action)
        direct = [s for s in key_statements if s.allow and s.covers_action(action) and _names_role(s, role, graph)
                  and _applies_to_s3_call(s, action) and _alias_condition_holds(s, need.key, graph)]
        granted = any(grant_covers(g, role, action, need.key) for g in grants(graph))
        denials = [s.source for s in statements if _unconditional_deny(s, action) and _covers_key(s, need.key, graph)]
        denials += [s.source for s in key_statements if _unconditional_deny(s, action) and _names_role(s, role, graph)]
        denied = bool(denials)
        if denied:
            access.denied[action] = list(dict.fromkeys(denials))
        if identity and not delegates and not any(
                s.allow and s.covers_action(action) and _names_account(s) for s in key_statements):
            access.iam_ignored.append(action)
            identity = []
        if not (identity or direct or granted) or denied:
            access.missing.append(action)
        elif not (direct or granted) and all(s.resources == ("*",) and not _alias_names(s) for s in identity):
            access.only_star = True
    return access


def _unconditional_deny(statement: Statement, action: str) -> bool:
    return not statement.allow and not statement.conditional and statement.covers_action(action)


def _covers_key(statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if statement.allow and not _alias_condition_holds(statement, key, graph):
        return False
    if statement.resources is None:
        return not any(_names_key(r, statement, key, graph) for r in statement.not_resources or ())
    return any(_names_key(r, statement, key, graph) for r in statement.resources)


# --- conditions -----------------------------------------------------------------------------

def _alias_names(statement: Statement) -> list[str] | None:
    """The alias patterns of a ``ForAnyValue:StringEquals|StringLike`` test on kms:ResourceAliases, if any."""
    found = [(op.lower(), values) for op, values in statement.condition_values("kms:ResourceAliases")]
    narrowing = [values for op, values in found if op in _ALIAS_OPERATORS]
    if not narrowing:
        return None
    return [str(v) for values in narrowing for v in values]


def _alias_condition_holds(statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    """Whether the key carries an alias the statement's kms:ResourceAliases test names (true without a test)."""
    patterns = _alias_names(statement)
    if patterns is None:
        return True
    names = aliases_of(key, graph)
    fold = any(op.lower().endswith("ignorecase") for op, _ in statement.condition_values("kms:ResourceAliases"))
    return any(iam_glob(name.lower() if fold else name, pattern.lower() if fold else pattern)
               for name in names for pattern in patterns)


def aliases_of(key: Key, graph: ResourceGraph) -> list[str]:
    """Alias names the key is known to carry."""
    if isinstance(key, AliasKey):
        return [key.name]
    if isinstance(key, Block):
        return graph.memo("key_access.aliases", _build_aliases).get(id(key), [])
    return []


def _build_aliases(graph: ResourceGraph) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for alias in graph.of_type("aws_kms_alias"):
        name = alias.get("name")
        if isinstance(name, str) and not is_unresolved(name):
            for key in graph.resolve(alias, "target_key_id", KEY_RESOURCES, alias.get("target_key_id")):
                found.setdefault(id(key), []).append(name)
    return found


def _applies_to_s3_call(statement: Statement, action: str) -> bool:
    """False for an Allow that needs the request to name an alias (kms:RequestAlias) for a Decrypt S3 makes.

    S3 decrypts with the key ID stored in the object's metadata, so such a test never matches its Decrypt.
    """
    if action.lower() != "kms:decrypt":
        return True
    for operator, _ in statement.condition_values("kms:RequestAlias"):
        op = operator.lower()
        if op.endswith("ifexists") or op.startswith("forallvalues:") or "not" in op.split(":")[-1]:
            continue  # true when the request names no alias
        return False
    return True


# --- Resource entries -------------------------------------------------------------------------

def _names_key(resource: Any, statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return not isinstance(key, UnknownKey) or not key.bucket
    targets = graph.targets(statement.holder, statement.label, resource, None)
    lookups_only = bool(targets) and all(lookup_kind(t.block) for t in targets)
    if targets and not lookups_only:
        # Only the key ARN names a key in an IAM policy; an alias ARN or key ID does not.
        return any(t.block is key and t.attribute == "arn" for t in targets)
    if is_unresolved(LOOKUP_TEXT.sub("*", resource)):
        return False
    pattern = arn_parts(resource)
    if pattern is None or pattern[2] is None or not iam_glob("kms", pattern[2]):
        return False
    if isinstance(key, str):
        return parts_match(key_arn_parts(key), pattern)
    if isinstance(key, (UnknownKey, AliasKey)):
        if isinstance(key, UnknownKey) and key.bucket:
            return False
        alias_arn = arn_parts(key.arn) if isinstance(key, AliasKey) else None
        account = alias_arn[4] if alias_arn else None
        return every_key(pattern) and part_matches(account, pattern[4], "account")
    known_arn = key.get("arn")  # only a plan of existing keys knows it; the HCL never does
    if isinstance(known_arn, str) and known_arn.startswith("arn:") and not is_unresolved(known_arn):
        return parts_match(arn_parts(known_arn), pattern)
    # A key created in this scan has an ARN unknown until apply: a pattern covers it
    # when it covers every key ARN (region and account are not known here either).
    return every_key(pattern)


# --- principals -------------------------------------------------------------------------------

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



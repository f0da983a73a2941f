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

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.encrypted_buckets import AliasKey, Key, UnknownKey
from kmsguard.keys import KEY_RESOURCES
from kmsguard.kms_needs import Need
from kmsguard.model import Block, ResourceGraph
from kmsguard.policy_documents import Document, Statement, iam_glob, parse
from kmsguard.references import is_unresolved, references_in, unwrap
from kmsguard.role_policies import ROLE, list_values, role_document

_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:iam::[^:/]+:root|\d{12})$")
GRANT = "aws_kms_grant"
# Lookups terraform plan reads, kept as text in ARNs: each matches any value of its kind.
LOOKUPS = {"data.aws_partition": "partition", "data.aws_region": "region", "data.aws_caller_identity": "account"}
_LOOKUP_TEXT = re.compile(r"\$\{(data\.(?:aws_partition|aws_region|aws_caller_identity))\.[^}]*\}")
_KIND = {"partition": re.compile(r"^aws[a-z-]*$"), "region": re.compile(r"^[a-z0-9-]+$"),
         "account": re.compile(r"^\d{12}$")}
_KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
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
        granted = any(_grant_covers(g, role, action, need.key) for g in grants(graph))
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
    lookups_only = bool(targets) and all(_lookup_kind(t.block) for t in targets)
    if targets and not lookups_only:
        # Only the key ARN names a key in an IAM policy; an alias ARN or key ID does not.
        return any(t.block is key and t.attribute == "arn" for t in targets)
    if is_unresolved(_LOOKUP_TEXT.sub("*", resource)):
        return False
    pattern = arn_parts(resource)
    if pattern is None or pattern[2] is None or not iam_glob("kms", pattern[2]):
        return False
    if isinstance(key, str):
        return _parts_match(key_arn_parts(key), pattern)
    if isinstance(key, (UnknownKey, AliasKey)):
        if isinstance(key, UnknownKey) and key.bucket:
            return False
        alias_arn = arn_parts(key.arn) if isinstance(key, AliasKey) else None
        account = alias_arn[4] if alias_arn else None
        return _every_key(pattern) and _part_matches(account, pattern[4], "account")
    known_arn = key.get("arn")  # only a plan of existing keys knows it; the HCL never does
    if isinstance(known_arn, str) and known_arn.startswith("arn:") and not is_unresolved(known_arn):
        return _parts_match(arn_parts(known_arn), pattern)
    # A key created in this scan has an ARN unknown until apply: a pattern covers it
    # when it covers every key ARN (region and account are not known here either).
    return _every_key(pattern)


def _lookup_kind(block: Block) -> str | None:
    return LOOKUPS.get(f"data.{block.type}") if block.block_type == "data" else None


def arn_parts(text: Any) -> list[str | None] | None:
    """An ARN (or ARN pattern) as its six parts; a lookup's text stands for any value of its kind (None)."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    return [None if _LOOKUP_TEXT.fullmatch(p) else p for p in parts]


def key_arn_parts(key: str) -> list[str | None] | None:
    """A literal key ARN's parts; a bare key ID as an ARN whose partition, region and account are unknown."""
    if _KEY_ID.match(key.strip()):
        return [None, None, "kms", None, None, f"key/{key.strip()}"]
    return arn_parts(key)


def _parts_match(value: list[str | None] | None, pattern: list[str | None]) -> bool:
    if value is None:
        return False
    kinds = (None, "partition", None, "region", "account", None)
    return all(_part_matches(v, p, kinds[i]) for i, (v, p) in enumerate(zip(value, pattern)))


def _part_matches(value: str | None, pattern: str | None, kind: str | None) -> bool:
    if value is None:  # unknown here (a lookup, or a key ID's missing parts): any pattern may match it
        return True
    if pattern is None:  # a lookup in the pattern: any value of its kind
        return kind is None or bool(_KIND[kind].match(value))
    return iam_glob(value, pattern)


def _every_key(pattern: list[str | None]) -> bool:
    return pattern[5] in ("*", "key/*")


def covers_every_key(resource: str) -> bool:
    """Whether an IAM Resource pattern covers every KMS key ARN (``arn:aws:kms:*:*:key/*``)."""
    parts = arn_parts(resource)
    return parts is not None and parts[2] is not None and iam_glob("kms", parts[2]) and _every_key(parts)


# --- grants -----------------------------------------------------------------------------------

@dataclass
class Grant:
    block: Block
    roles: list[Block]
    keys: list[Block]  # key resources in the scan
    literal: str | None  # or a literal key ID / key ARN
    operations: set[str]  # kms:decrypt, ...


def grants(graph: ResourceGraph) -> list[Grant]:
    """Every aws_kms_grant of the scan whose grantee is a role of the scan.

    Constraints (encryption_context_equals/subset) are treated as conditions on an Allow: the grant counts.
    """
    return graph.memo("key_access.grants", _build_grants)


def _build_grants(graph: ResourceGraph) -> list[Grant]:
    roles_by_name = graph.memo("key_access.roles_by_name", _roles_by_name)
    found = []
    for block in graph.of_type(GRANT):
        grantee = unwrap(block.config.get("grantee_principal"))
        roles = graph.resolve(block, "grantee_principal", (ROLE,), grantee)
        if not roles and isinstance(grantee, str) and not is_unresolved(grantee):
            roles = [r for r in roles_by_name.get((block.root, _role_name(grantee)), [])
                     if role_arn_names(grantee, r.get("name"))]
        key_id = unwrap(block.config.get("key_id"))
        keys = graph.resolve(block, "key_id", KEY_RESOURCES, key_id)
        literal = key_id if isinstance(key_id, str) and not keys and not is_unresolved(key_id) else None
        operations = {f"kms:{op}".lower() for op in list_values(block.config.get("operations")) if isinstance(op, str)}
        if roles and (keys or literal):
            found.append(Grant(block, roles, keys, literal, operations))
    return found


def _roles_by_name(graph: ResourceGraph) -> dict[tuple[str, str], list[Block]]:
    index: dict[tuple[str, str], list[Block]] = {}
    for role in graph.of_type(ROLE):
        name = role.get("name")
        if isinstance(name, str):
            index.setdefault((role.root, name), []).append(role)
    return index


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _grant_covers(grant: Grant, role: Block, action: str, key: Key) -> bool:
    if role not in grant.roles or action.lower() not in grant.operations:
        return False
    if isinstance(key, Block):
        return key in grant.keys
    if isinstance(key, str) and grant.literal:
        # A grant names its key by key ID or key ARN; the same key ID is the same key.
        mine, theirs = key_arn_parts(key), key_arn_parts(grant.literal)
        return mine is not None and theirs is not None and mine[5] == theirs[5] and _parts_match(mine, theirs)
    return False


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


def role_arn_names(principal: str, role_name: Any) -> bool:
    """Whether a literal role ARN principal names the role called ``role_name`` (any path)."""
    return isinstance(role_name, str) and bool(
        re.search(r":role/(?:.*/)?" + re.escape(role_name) + r"$", principal))


# --- the fix to print -------------------------------------------------------------------------

def _module_of(address: str) -> str:
    match = re.match(r"^((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*)", address)
    return match.group(1) if match else ""


def _cloudformation(block: Block) -> bool:
    return f"{block.type}.{block.name}" not in block.address


def _reference(target: Block, attribute: str, near: Block) -> Any:
    """How ``near``'s code refers to ``target.attribute``, or None when it cannot (another module)."""
    known = target.get(attribute)
    if isinstance(known, str) and known.startswith("arn:") and not is_unresolved(known):
        return known
    if _cloudformation(target):
        return {"Fn::GetAtt": [target.address, attribute.capitalize()]} if _cloudformation(near) else None
    module = _module_of(target.address)
    if module != _module_of(near.address):
        return None
    return "${" + target.address[len(module):] + "." + attribute + "}"


def _lookup(near: Block, graph: ResourceGraph, data_type: str, attribute: str) -> str | None:
    """``${data.<type>.<name>.<attribute>}`` when ``near``'s module reads that data source."""
    module = _module_of(near.address)
    for block in graph.of_type(f"data.{data_type}"):
        if block.root == near.root and _module_of(block.address) == module and not _cloudformation(block):
            return "${" + block.address[len(module):] + "." + attribute + "}"
    return None


def role_statement(role: Block, need: Need, actions: list[str], graph: ResourceGraph) -> tuple[dict | None, str]:
    """A statement for the role's policy that grants ``actions`` on the need's key, or None and why not."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions}
    key = need.key
    partition = _lookup(role, graph, "aws_partition", "partition") or "aws"
    account = _lookup(role, graph, "aws_caller_identity", "account_id")
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
        name, account = role.get("name"), _lookup(need.key, graph, "aws_caller_identity", "account_id")
        partition = _lookup(need.key, graph, "aws_partition", "partition") or "aws"
        path = role.get("path") if isinstance(role.get("path"), str) else "/"
        if not isinstance(name, str) or is_unresolved(name) or account is None:
            return None
        principal = f"arn:{partition}:iam::{account}:role{path}{name}"
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}


def dumps(statement: dict) -> str:
    return json.dumps(statement)

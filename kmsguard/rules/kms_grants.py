"""KMS grants (``aws_kms_grant``): a grant lets its grantee role use the key for the listed operations.

AWS: KMS developer guide, "Grants in AWS KMS". A grant adds to the key policy
and IAM policies; it needs no delegation from the key policy. Its
constraints ("Using grant constraints", KMS API ``GrantConstraints``) allow
an operation only when the request's encryption context equals
(``encryption_context_equals``) or includes (``encryption_context_subset``)
the pairs given: judged like the conditions of an Allow (rules/conditions.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import describe, is_unresolved, unwrap
from kmsguard.rules.conditions import Request, judge
from kmsguard.rules.encrypted_buckets import Key
from kmsguard.rules.key_classes import KEY_RESOURCES
from kmsguard.rules.kms_arns import key_arn_parts, parts_match, role_arn_names
from kmsguard.rules.role_policies import ROLE, list_values

GRANT = "aws_kms_grant"

@dataclass
class Grant:
    block: Block
    roles: list[Block]
    keys: list[Block]  # key resources in the scan
    literal: str | None  # or a literal key ID / key ARN
    operations: set[str]  # kms:decrypt, ...
    # each constraints block as IAM Condition operators on the encryption context; a problem when unreadable
    conditions: list[dict] = field(default_factory=list)
    problem: str = ""


def grants(graph: ResourceGraph) -> list[Grant]:
    """Every aws_kms_grant of the scan whose grantee is a role of the scan.

    Constraints (encryption_context_equals/subset) become conditions, judged per request by grant_holds.
    """
    return graph.memo("kms_grants.grants", _build_grants)


def _build_grants(graph: ResourceGraph) -> list[Grant]:
    found = []
    for block in graph.of_type(GRANT):
        grantee = unwrap(block.config.get("grantee_principal"))
        roles = graph.resolve(block, "grantee_principal", (ROLE,), grantee)
        if not roles and isinstance(grantee, str) and not is_unresolved(grantee):
            roles = [r for r in graph.named(ROLE, "name", _role_name(grantee), block)
                     if role_arn_names(grantee, r.get("name"))]
        key_id = unwrap(block.config.get("key_id"))
        keys = graph.resolve(block, "key_id", KEY_RESOURCES, key_id)
        literal = key_id if isinstance(key_id, str) and not keys and not is_unresolved(key_id) else None
        operations = {f"kms:{op}".lower() for op in list_values(block.config.get("operations")) if isinstance(op, str)}
        if roles and (keys or literal):
            conditions, problem = _constraints(block)
            found.append(Grant(block, roles, keys, literal, operations, conditions, problem))
    return found


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def grant_covers(grant: Grant, role: Block, action: str, key: Key) -> bool:
    if role not in grant.roles or action.lower() not in grant.operations:
        return False
    if isinstance(key, Block):
        return key in grant.keys
    if isinstance(key, str) and grant.literal:
        # A grant names its key by key ID or key ARN; the same key ID is the same key.
        mine, theirs = key_arn_parts(key), key_arn_parts(grant.literal)
        return mine is not None and theirs is not None and mine[5] == theirs[5] and parts_match(mine, theirs)
    return False


def _constraints(block: Block) -> tuple[list[dict], str]:
    """The grant's constraints as Condition blocks: equals is these pairs and no other key; subset, these pairs."""
    conditions = []
    for constraint in block.config.get("constraints") or []:
        if not isinstance(constraint, dict):
            continue
        for attribute, exact in (("encryption_context_equals", True), ("encryption_context_subset", False)):
            pairs = unwrap(constraint.get(attribute))
            if pairs is None:
                continue
            if not isinstance(pairs, dict):
                return [], f"{block.address}: constraints {attribute} {describe(pairs)} could not be read"
            condition: dict = {"StringEquals": {f"kms:EncryptionContext:{k}": str(unwrap(v)) for k, v in pairs.items()}}
            if exact:
                condition["ForAllValues:StringEquals"] = {"kms:EncryptionContextKeys": list(pairs)}
            conditions.append(condition)
    return conditions, ""


def grant_holds(grant: Grant, request: Request,
                rewrite: Callable[[dict], dict] = lambda c: c) -> tuple[bool | None, str]:
    """Whether the grant's constraints let ``request`` through, and why not (the reason) when they do not.

    ``rewrite`` writes the references in a constraint's values as the request's values (key_access.normalise).
    """
    if grant.problem:
        return None, grant.problem
    for condition in grant.conditions:
        judgement = judge(rewrite(condition), request)
        if judgement.holds is not True:
            verdict = "cannot be judged" if judgement.holds is None else "is never met by S3's request"
            return judgement.holds, (f"the constraint of {grant.block.address} {verdict}: "
                                     f"{'; '.join(judgement.reasons)}")
    return True, ""

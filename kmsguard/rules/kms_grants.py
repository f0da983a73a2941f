"""KMS grants (``aws_kms_grant``): a grant lets its grantee role use the key for the listed operations.

AWS: KMS developer guide, "Grants in AWS KMS". A grant adds to the key policy
and IAM policies; it needs no delegation from the key policy.
"""
from __future__ import annotations

from dataclasses import dataclass

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import is_unresolved, unwrap
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


def grants(graph: ResourceGraph) -> list[Grant]:
    """Every aws_kms_grant of the scan whose grantee is a role of the scan.

    Constraints (encryption_context_equals/subset) are treated as conditions on an Allow: the grant counts.
    """
    return graph.memo("kms_grants.grants", _build_grants)


def _build_grants(graph: ResourceGraph) -> list[Grant]:
    roles_by_name = graph.memo("kms_grants.roles_by_name", _roles_by_name)
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

"""Is a ``kms_master_key_id`` a customer-managed key, the AWS-managed ``aws/s3`` key, or unknown?

AWS facts behind it: with ``aws:kms`` and no key S3 uses the AWS-managed key
``aws/s3``; every alias under ``alias/aws/`` is AWS-managed and a customer
cannot create one; a key ID, key ARN, or any other alias names a
customer-managed key.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.graph import Block, ResourceGraph
from kmsguard.references import UNKNOWN_AFTER_APPLY, describe, is_unresolved, references_in, unwrap

KEY_RESOURCES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key")
KEY_LIKE = KEY_RESOURCES + ("aws_kms_alias", "data.aws_kms_alias", "data.aws_kms_key")

_ARN = r"arn:aws[a-z-]*:kms:[a-z0-9-]*:\d{12}:"
_AWS_ALIAS = re.compile(rf"^(?:{_ARN})?alias/aws/")
_ALIAS = re.compile(rf"^(?:{_ARN})?alias/[\w/+=,.@-]+$", re.ASCII)  # KMS alias names are ASCII
_KEY_ARN = re.compile(rf"^{_ARN}key/[\w-]+$", re.ASCII)
_KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")


class KeyKind(enum.Enum):
    CUSTOMER_MANAGED = "customer-managed"
    AWS_MANAGED = "AWS-managed"
    UNRESOLVED = "unresolved"


@dataclass
class KeyClass:
    kind: KeyKind
    description: str  # what the key is, for result details
    keys: list[Block] = field(default_factory=list)  # the key resources in the scan it resolves to
    literal: str | None = None  # a literal key/alias ID or ARN, when it is one

    @property
    def customer_managed(self) -> bool:
        return self.kind is KeyKind.CUSTOMER_MANAGED


def classify_literal(value: str) -> KeyClass:
    if _AWS_ALIAS.match(value):
        return KeyClass(KeyKind.AWS_MANAGED, f"AWS-managed key {value!r}", literal=value)
    if _ALIAS.match(value) or _KEY_ARN.match(value) or _KEY_ID.match(value):
        return KeyClass(KeyKind.CUSTOMER_MANAGED, f"customer-managed key {value!r}", literal=value)
    return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which is not a KMS key ID, key ARN or alias")


def classify(value: Any, owner: Block | None, label: str, graph: ResourceGraph | None) -> KeyClass:
    """Classify ``value``, the rendered key attribute ``label`` of block ``owner``."""
    value = unwrap(value)
    if value is None or value == "":
        return KeyClass(KeyKind.AWS_MANAGED, "no key, so S3 uses the AWS-managed key aws/s3")
    if not isinstance(value, str):
        return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which is not a key")
    refs = references_in(value)
    if not refs:
        if is_unresolved(value):
            return _unresolved(value)
        literal = classify_literal(value.strip())
        if literal.customer_managed and literal.literal and graph is not None:
            literal.keys = _keys_behind_alias_name(literal.literal, graph)
        return literal
    blocks = graph.resolve(owner, label, KEY_LIKE, value) if graph and owner else []
    if blocks and graph is not None:
        verdicts = [_classify_block(block, graph) for block in blocks]
        kinds = {v.kind for v in verdicts}
        if len(kinds) == 1:
            merged = verdicts[0]
            merged.keys = [k for v in verdicts for k in v.keys]
            return merged
        return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which resolves to several different keys")
    missing = ", ".join(f"{ref.type}.{ref.name}" for ref in refs)
    return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which refers to {missing}, not found in this scan")


def _classify_block(block: Block, graph: ResourceGraph) -> KeyClass:
    where = block.address
    if block.block_type == "resource" and block.type in KEY_RESOURCES:
        return KeyClass(KeyKind.CUSTOMER_MANAGED, f"customer-managed key {where}", keys=[block])
    if block.block_type == "resource" and block.type == "aws_kms_alias":
        target = block.get("target_key_id")
        keys = graph.resolve(block, "target_key_id", KEY_RESOURCES, target)
        return KeyClass(KeyKind.CUSTOMER_MANAGED, f"customer-managed key behind alias {where}", keys=keys)
    # data sources: look at what they look up
    looked_up = block.get("name") if block.type == "aws_kms_alias" else block.get("key_id")
    if isinstance(looked_up, str) and not is_unresolved(looked_up):
        found = classify_literal(looked_up)
        found.description = f"{found.description} (looked up by data.{block.type}.{block.name})"
        return found
    return KeyClass(KeyKind.UNRESOLVED, f"data.{block.type}.{block.name}, whose lookup {describe(looked_up)} is not resolved")


def _keys_behind_alias_name(name: str, graph: ResourceGraph) -> list[Block]:
    """The keys in the scan behind a literal alias name (Checkov renders ``aws_kms_alias.a.name`` to it)."""
    aliases = [a for a in graph.of_type("aws_kms_alias") if a.get("name") == name]
    return [key for a in aliases for key in graph.resolve(a, "target_key_id", KEY_RESOURCES, a.get("target_key_id"))]


def _unresolved(value: str) -> KeyClass:
    if value in UNKNOWN_AFTER_APPLY:  # a plan's value unknown until apply: no variable to set
        return KeyClass(KeyKind.UNRESOLVED, describe(value))
    return KeyClass(
        KeyKind.UNRESOLVED,
        f"{describe(value)}, which Checkov could not resolve (give the variable a default or a tfvars value)",
    )

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

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import (
    UNKNOWN_AFTER_APPLY,
    describe,
    how_to_provide,
    is_unresolved,
    references_in,
    unknown_reasons,
    unwrap,
)

KEY_RESOURCES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key")
KEY_LIKE = KEY_RESOURCES + ("aws_kms_alias", "data.aws_kms_alias", "data.aws_kms_key")

_ARN = r"arn:aws[a-z-]*:kms:[a-z0-9-]*:\d{12}:"
# A KMS ARN whose partition, region or account is read from a data source at plan time
# (data.aws_partition / aws_region / aws_caller_identity, kept as text by lookups.py).
_LOOKUP_INDEX = r'(?:\[\d+\]|\["[^"\\]*"\])?'
_PARTITION = rf"aws[a-z-]*|\$\{{data\.aws_partition\.[\w-]+{_LOOKUP_INDEX}\.(?:partition|id)\}}"
_REGION = rf"[a-z0-9-]*|\$\{{data\.aws_region\.[\w-]+{_LOOKUP_INDEX}\.(?:name|region|id)\}}"
_ACCOUNT = rf"\d{{12}}|\$\{{data\.aws_caller_identity\.[\w-]+{_LOOKUP_INDEX}\.(?:account_id|id)\}}"
_ANY_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):kms:(?P<region>{_REGION}):(?P<account>{_ACCOUNT}):"
    r"(?P<resource>(?P<kind>key|alias)/(?P<id>[\w/+=,.@-]+))$", re.ASCII)
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


@dataclass(frozen=True)
class KmsArn:
    """A KMS key or alias ARN; partition, region and account may each be a data-source lookup's text."""

    partition: str  # "aws" or "${data.aws_partition.current.partition}"
    region: str
    account: str
    resource: str  # "key/<key-id>" or "alias/<name>"

    @property
    def kind(self) -> str:
        return self.resource.split("/", 1)[0]

    @property
    def resource_id(self) -> str:
        """The key ID, or the alias name with its ``alias/`` prefix (as aliases are named everywhere else)."""
        return self.resource.split("/", 1)[1] if self.kind == "key" else self.resource

    @property
    def lookups(self) -> tuple[str, ...]:
        """The parts read from data sources (``data.aws_region.current.name``), in ARN order."""
        return tuple(p[2:-1] for p in (self.partition, self.region, self.account) if p.startswith("${"))

    @property
    def literal(self) -> bool:
        return not self.lookups


def parse_kms_arn(value: Any) -> KmsArn | None:
    """Read a KMS key or alias ARN, literal or with lookup parts; None for anything else.

    ``arn:${data.aws_partition.p.partition}:kms:${data.aws_region.r.name}:${data.aws_caller_identity.c.account_id}:alias/app``
    gives ``KmsArn(partition="${data...}", ..., resource="alias/app")``. A key ID must be a KMS key ID.
    """
    if not isinstance(value, str):
        return None
    match = _ANY_ARN.match(value.strip())
    if not match:
        return None
    if match.group("kind") == "key" and not _KEY_ID.match(match.group("id")):
        return None
    return KmsArn(match.group("partition"), match.group("region"), match.group("account"), match.group("resource"))


def _classify_assembled(value: str) -> KeyClass | None:
    """A key or alias ARN assembled from account/partition/region lookups: its literal part decides."""
    arn = parse_kms_arn(value)
    if arn is None or arn.literal:
        return None
    parts = [name for name, part in (("partition", arn.partition), ("region", arn.region), ("account", arn.account))
             if part.startswith("${")]
    read = ", ".join(dict.fromkeys(".".join(part.split(".")[:3]) for part in arn.lookups))
    named = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    article = "an alias" if arn.kind == "alias" else "a key"
    where = f"({article} ARN whose {named} {'is' if len(parts) == 1 else 'are'} read from {read})"
    if arn.kind == "alias" and arn.resource.startswith("alias/aws/"):
        # Customers cannot create alias/aws/...: it is always an AWS-managed key.
        return KeyClass(KeyKind.AWS_MANAGED, f"AWS-managed key {arn.resource} {where}", literal=value)
    return KeyClass(KeyKind.CUSTOMER_MANAGED, f"customer-managed key {arn.resource_id} {where}", literal=value)


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
    assembled = _classify_assembled(value)
    if assembled is not None:
        return _with_alias_keys(assembled, value, owner, graph)
    if not refs:
        if is_unresolved(value):
            return _unresolved(value, owner)
        literal = classify_literal(value.strip())
        if literal.customer_managed and literal.literal and graph is not None:
            literal.keys = keys_behind_alias_name(literal.literal, graph, owner)
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
    return _not_a_key(value, owner, label)


def _with_alias_keys(found: KeyClass, value: str, owner: Block | None, graph: ResourceGraph | None) -> KeyClass:
    """Link an alias ARN built from lookups to the keys of a same-named alias in the owner's root."""
    arn = parse_kms_arn(value)
    if found.customer_managed and graph is not None and arn is not None and arn.kind == "alias":
        found.keys = keys_behind_alias_name(arn.resource_id, graph, owner)
    return found


def _not_a_key(value: str, owner: Block | None, label: str) -> KeyClass:
    """A value with references that lead to no key: unknown, built from other blocks, or outside the scan."""
    refs = references_in(value)
    if owner is not None and unknown_reasons(owner, value):
        return _unresolved(value, owner)
    found = [t for t in dict.fromkeys(owner.references(label)) if any(r.names(t) for r in refs)] if owner else []
    if found:
        names = ", ".join(dict.fromkeys(t.address for t in found))
        return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which is built from {names}, not a KMS key or alias")
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
    what = "name" if block.type == "aws_kms_alias" else "key_id"
    if looked_up is None:
        return KeyClass(KeyKind.UNRESOLVED, f"data.{block.type}.{block.name}, whose {what} is not set")
    if isinstance(looked_up, str):
        why = how_to_provide(block, looked_up)
        return KeyClass(KeyKind.UNRESOLVED, f"data.{block.type}.{block.name}, whose {what} {describe(looked_up)} is {why}")
    return KeyClass(KeyKind.UNRESOLVED, f"data.{block.type}.{block.name}, whose {what} {describe(looked_up)} is not a name")


def keys_behind_alias_name(name: str, graph: ResourceGraph, near: Block | None = None) -> list[Block]:
    """The keys in the scan behind a literal alias name; with ``near``, only aliases in its root (names link within a root)."""
    if near is not None:
        aliases = graph.named("aws_kms_alias", "name", name, near)
    else:
        aliases = [a for a in graph.of_type("aws_kms_alias") if a.get("name") == name]
    return [key for a in aliases for key in graph.resolve(a, "target_key_id", KEY_RESOURCES, a.get("target_key_id"))]


def _unresolved(value: str, owner: Block | None = None) -> KeyClass:
    if value in UNKNOWN_AFTER_APPLY or owner is None:
        return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which is not known before apply")
    return KeyClass(KeyKind.UNRESOLVED, f"{describe(value)}, which is {how_to_provide(owner, value)}")

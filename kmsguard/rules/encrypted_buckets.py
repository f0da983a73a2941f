"""The SSE-KMS buckets of a scan and the customer-managed keys they use, indexed once per scan.

A key is a key resource in the scan, a literal key ARN or key ID, a literal
alias with no alias resource in the scan (granted by its key ID's ARN or the
``kms:ResourceAliases`` condition, see key_access), or a key kmsguard cannot
name (unresolved): only a grant on every key can cover that one. A bucket
whose encryption could not be read carries an UnknownKey that nothing covers.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Union

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import as_bool, is_unresolved
from kmsguard.rules.bucket_index import bucket_index
from kmsguard.rules.key_classes import KeyClass, KeyKind, keys_behind_alias_name
from kmsguard.rules.s3_encryption import BUCKET, block_rules


@dataclass(frozen=True, eq=False)
class UnknownKey:
    """An SSE-KMS key kmsguard cannot name (unresolved), or a bucket whose encryption it could not read."""

    description: str
    bucket: str = ""  # set when the bucket's encryption itself could not be read (it may not even be SSE-KMS)


@dataclass(frozen=True, eq=False)
class AliasKey:
    """A key named by a literal alias with no alias resource in the scan behind it."""

    name: str  # alias/<name>
    arn: str | None  # the alias ARN as written, when it was one (its region and account may be lookups)


# A key resource in the scan; a literal key ARN or key ID (an ARN's partition, region and account
# may be lookup text); a literal alias outside the scan; or a key kmsguard cannot name.
Key = Union[Block, str, AliasKey, UnknownKey]


@dataclass
class EncryptedBucket:
    bucket: Block
    name: str | None  # the literal bucket name, when known
    keys: list[Key]
    bucket_keys: bool | None = False  # S3 Bucket Keys on its SSE-KMS rules: True, False, or None when unresolved

    @property
    def label(self) -> str:
        return self.bucket.address + (f" ({self.name})" if self.name else "")


@dataclass
class EncryptedBuckets:
    all: list[EncryptedBucket]
    by_bucket: dict[int, EncryptedBucket]  # id(bucket block) ->
    by_name: dict[tuple[str, str], list[EncryptedBucket]]  # (root, literal bucket name) -> (names link within a root)


def encrypted_buckets(graph: ResourceGraph) -> EncryptedBuckets:
    return graph.memo("encrypted_buckets", _build)


def _build(graph: ResourceGraph) -> EncryptedBuckets:
    found = [e for e in (_encrypted(graph, bucket) for bucket in graph.of_type(BUCKET)) if e]
    by_name: dict[tuple[str, str], list[EncryptedBucket]] = defaultdict(list)
    for encrypted in found:
        if encrypted.name:
            by_name[(encrypted.bucket.root, encrypted.name)].append(encrypted)
    return EncryptedBuckets(found, {id(e.bucket): e for e in found}, by_name)


def _encrypted(graph: ResourceGraph, bucket: Block) -> EncryptedBucket | None:
    """The bucket, if its default encryption is (or may be) SSE-KMS with a key that is not AWS-managed."""
    rules = block_rules(graph, bucket, True)
    for config in bucket_index(graph).configs_of(bucket):
        rules = rules + block_rules(graph, config, False)
    keys: list[Key] = []
    bucket_keys: set[bool | None] = set()
    for rule in rules:
        if rule.is_kms and rule.key is not None and rule.key.kind is not KeyKind.AWS_MANAGED:
            keys += nameable(rule.key, graph, bucket)
            enabled = rule.bucket_key_enabled  # unset means off; an unresolved value stays None
            bucket_keys.add(False if enabled is None else as_bool(enabled))
        elif rule.problem and rule.algorithm != "AES256" and not rule.is_kms:
            # Encryption the pack could not read may be SSE-KMS: a role using the bucket is never passed for it.
            keys.append(UnknownKey(rule.problem, bucket=bucket.address))
    if not keys:
        return None
    name = bucket.get("bucket")
    uses = True if True in bucket_keys else None if None in bucket_keys else False
    return EncryptedBucket(bucket, name if isinstance(name, str) and not is_unresolved(name) else None, keys, uses)


_KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
_ALIAS_ARN = re.compile(r"^arn:[^:]+:kms:[^:]*:[^:]*:(alias/[\w/+=,.@-]+)$", re.ASCII)


def nameable(key: KeyClass, graph: ResourceGraph | None = None, near: Block | None = None) -> list[Key]:
    """The keys a customer-managed or unresolved key class stands for."""
    if key.keys:
        return list(key.keys)
    literal = (key.literal or "").strip() if key.customer_managed else ""
    if ":key/" in literal or _KEY_ID.match(literal):
        return [literal]
    alias = _ALIAS_ARN.match(literal)
    name = alias.group(1) if alias else literal if literal.startswith("alias/") else None
    if name:
        behind = _keys_behind(name, graph, near)
        return behind or [AliasKey(name, literal if alias else None)]
    return [UnknownKey(key.description)]


def _keys_behind(alias: str, graph: ResourceGraph | None, near: Block | None) -> list[Key]:
    """Keys in the scan behind an alias of that name in ``near``'s root (names link within a root)."""
    return list(keys_behind_alias_name(alias, graph, near)) if graph is not None and near is not None else []


def key_label(key: Key) -> str:
    if isinstance(key, UnknownKey):
        return f"{key.description} (a key kmsguard cannot name)"
    if isinstance(key, AliasKey):
        return f"the key behind {key.arn or key.name} (an alias not created in this scan)"
    return key.address if isinstance(key, Block) else key

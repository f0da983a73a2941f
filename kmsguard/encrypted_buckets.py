"""The SSE-KMS buckets of a scan and the customer-managed keys they use, indexed once per scan.

A key is a key resource in the scan, a literal key ARN, or a key kmsguard
cannot name (unresolved, or an alias or key ID with no key in the scan):
only a grant on every key can cover that one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Union

from kmsguard.graph import Block, ResourceGraph
from kmsguard.keys import KeyClass, KeyKind
from kmsguard.references import is_unresolved
from kmsguard.s3 import BUCKET, block_rules, bucket_index


@dataclass(frozen=True, eq=False)
class UnknownKey:
    """An SSE-KMS key kmsguard cannot name (unresolved, or an alias not in the scan)."""

    description: str


Key = Union[Block, str, UnknownKey]  # a key resource in the scan, a literal key ARN, or unknown


@dataclass
class EncryptedBucket:
    bucket: Block
    name: str | None  # the literal bucket name, when known
    keys: list[Key]

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
    for rule in rules:
        if rule.is_kms and rule.key is not None and rule.key.kind is not KeyKind.AWS_MANAGED:
            keys += nameable(rule.key)
        elif rule.problem and rule.algorithm != "AES256" and not rule.is_kms:
            # Encryption the pack could not read may be SSE-KMS: a role using the bucket is never passed for it.
            keys.append(UnknownKey(f"the key of {bucket.address}, which kmsguard cannot tell ({rule.problem})"))
    if not keys:
        return None
    name = bucket.get("bucket")
    return EncryptedBucket(bucket, name if isinstance(name, str) and not is_unresolved(name) else None, keys)


def nameable(key: KeyClass) -> list[Key]:
    """The keys a customer-managed or unresolved key class stands for."""
    if key.keys:
        return list(key.keys)
    if key.literal and ":key/" in key.literal:
        return [key.literal]
    return [UnknownKey(key.description)]


def key_label(key: Key) -> str:
    if isinstance(key, UnknownKey):
        return f"{key.description} (a key kmsguard cannot name)"
    return key.address if isinstance(key, Block) else key

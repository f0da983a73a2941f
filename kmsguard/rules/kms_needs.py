"""Which KMS actions a role needs on which key, from the S3 object access its policies grant.

AWS facts (S3 user guide, "Protecting data with SSE-KMS" and "Replicating
encrypted objects"): GetObject needs kms:Decrypt; PutObject needs
kms:GenerateDataKey, and multipart uploads kms:Decrypt too. Replication is
S3 acting as the configuration's role: for SSE-KMS objects (opted in with
sse_kms_encrypted_objects) it needs kms:Decrypt on the source key and
kms:Encrypt on the replica key, plus kms:Decrypt on the replica key when the
replicas use an S3 Bucket Key ("Amazon S3 Bucket Keys and replication").
SSE-S3 objects keep SSE-S3 as replicas, so they need no KMS permission. The
replication actions (s3:GetObjectVersionForReplication, s3:ReplicateObject)
are not reads or writes of the role's own. An explicit Deny of the object
access removes the need.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from kmsguard.model.resources import NAME_PARTS, Block, ResourceGraph, full_type
from kmsguard.model.values import is_unresolved, unwrap
from kmsguard.rules.encrypted_buckets import EncryptedBucket, EncryptedBuckets, Key, encrypted_buckets, nameable
from kmsguard.rules.key_classes import classify
from kmsguard.rules.policy_documents import Statement, iam_glob
from kmsguard.rules.role_policies import role_document, roles_named
from kmsguard.rules.s3_encryption import BUCKET

READS = ("s3:GetObject", "s3:GetObjectVersion")
WRITES = ("s3:PutObject",)
REPLICATION_ACTIONS = ("s3:GetObjectVersionForReplication", "s3:ReplicateObject")  # used only by S3 Replication
OBJECT_ACTIONS = {"read": READS, "write": WRITES}
KMS_FOR = {"read": ("kms:Decrypt",), "write": ("kms:GenerateDataKey", "kms:Decrypt")}
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([^/]+)(?:/(.*))?$")
# The same, where the partition or the bucket name may be unknown text (${...}, which may hold "/").
_S3_ARN_ANY = re.compile(r"^arn:(?:aws[a-z-]*|\$\{[^}]*\}):s3:::((?:[^/$]|\$\{[^}]*\})+)(?:/(.*))?$")


@dataclass
class Replication:
    """One replication rule of SSE-KMS objects, performed as the role."""

    where: str  # the replication configuration
    sources: list[Key]  # the source bucket's keys
    replicas: list[Key]  # replica_kms_key_id
    bucket_keys: bool | None  # whether the replicas use an S3 Bucket Key (None: unresolved)
    sse_kms: bool = True  # False: the rule replicates no SSE-KMS object, so it needs no KMS permission


@dataclass
class Need:
    """A role's use of one bucket's key, and the KMS actions it calls for."""

    bucket: str
    key: Key
    actions: set[str] = field(default_factory=set)
    because: set[str] = field(default_factory=set)


def needs_of(role: Block, graph: ResourceGraph) -> tuple[list[Need], list[str]]:
    """The KMS actions a role needs on each key, and problems met on the way."""
    needs, problems, _ = needs_and_notes(role, graph)
    return needs, problems


def needs_and_notes(role: Block, graph: ResourceGraph) -> tuple[list[Need], list[str], list[str]]:
    """needs_of, and notes on what was not judged (replication actions with no configuration naming the role)."""
    document = role_document(role, graph)
    unresolved: list[str] = []
    granted = _object_access(document.statements, encrypted_buckets(graph), graph, unresolved)
    needs: dict[tuple[str, int], Need] = {}

    def need(bucket: str, key: Key, actions: Iterable[str], why: str) -> None:
        entry = needs.setdefault((bucket, id(key)), Need(bucket, key))
        entry.actions.update(actions)
        entry.because.add(why)

    for kind, encrypted, source in granted:
        for key in encrypted.keys:
            need(encrypted.label, key, KMS_FOR[kind], f"{kind}s objects ({source})")
    replications = _replication(graph).get(id(role), [])
    for rule in (r for r in replications if r.sse_kms):
        for key in rule.sources:
            need(f"replication {rule.where}", key, ("kms:Decrypt",), "reads SSE-KMS source objects to replicate them")
        for key in rule.replicas:
            need(f"replication {rule.where}", key, ("kms:Encrypt",), "encrypts replicas")
            if rule.bucket_keys is not False:
                # AWS: with an S3 Bucket Key, replication also calls kms:Decrypt on the replica key.
                why = ("replicas use an S3 Bucket Key" if rule.bucket_keys else
                       "replicas may use an S3 Bucket Key (the source's bucket_key_enabled is not known)")
                need(f"replication {rule.where}", key, ("kms:Decrypt",), why)
    notes = []
    if not replications and any(s.allow and any(s.covers_action(a) for a in REPLICATION_ACTIONS)
                                and s.action_patterns("s3") and s.actions is not None
                                and not any(s.covers_action(a) for a in READS + WRITES)
                                for s in document.statements):
        notes.append("s3:GetObjectVersionForReplication / s3:ReplicateObject are used only by S3 Replication, and no "
                     "replication configuration in this scan names this role: their KMS needs are judged where one does")
    return list(needs.values()), list(document.problems) + list(dict.fromkeys(unresolved)), notes


def _object_access(statements: list[Statement], index: EncryptedBuckets, graph: ResourceGraph,
                   unresolved: list[str]) -> list[tuple[str, EncryptedBucket, str]]:
    """(read or write, bucket, granting statement) for each access allowed and not denied."""
    granted: dict[tuple[int, str], tuple[EncryptedBucket, str]] = {}
    denied: set[tuple[int, str]] = set()
    for statement in statements:
        kinds = _access_kinds(statement)
        if not kinds:
            continue
        for encrypted in _object_targets(statement, index, graph, unresolved if statement.allow else []):
            for kind in kinds:
                if statement.allow:
                    granted.setdefault((id(encrypted), kind), (encrypted, statement.source))
                else:
                    denied.add((id(encrypted), kind))
    return [(kind, encrypted, source) for (bucket, kind), (encrypted, source) in granted.items()
            if (bucket, kind) not in denied]


def _access_kinds(statement: Statement) -> list[str]:
    """Which object access ("read", "write") a statement allows, or denies without condition."""
    if not statement.action_patterns("s3"):
        return []
    if statement.allow:
        return [kind for kind, actions in OBJECT_ACTIONS.items() if any(statement.covers_action(a) for a in actions)]
    if statement.conditional:
        return []  # a conditional Deny may not apply: it removes no need
    return [kind for kind, actions in OBJECT_ACTIONS.items() if statement.covers_action(actions[0])]


def _object_targets(statement: Statement, index: EncryptedBuckets, graph: ResourceGraph,
                    unresolved: list[str]) -> list[EncryptedBucket]:
    """The SSE-KMS buckets whose objects a statement's Resource (or NotResource) covers."""
    if statement.resources is None:
        excluded = {id(e) for r in statement.not_resources or ()
                    for e in _objects_named(r, statement, index, graph, [])}
        return [e for e in index.all if id(e) not in excluded]
    found: dict[int, EncryptedBucket] = {}
    for resource in statement.resources:
        for encrypted in _objects_named(resource, statement, index, graph, unresolved):
            found[id(encrypted)] = encrypted
    return list(found.values())


def _objects_named(resource: Any, statement: Statement, index: EncryptedBuckets, graph: ResourceGraph,
                   unresolved: list[str]) -> list[EncryptedBucket]:
    """Buckets whose objects one Resource entry covers (the bucket ARN alone covers none)."""
    if not isinstance(resource, str):
        return []
    if resource == "*":
        return index.all
    # The account, partition or Region lookups are parts of a name, not the thing it names.
    targets = [t for t in graph.targets(statement.holder, statement.label, resource, None)
               if full_type(t.block) not in NAME_PARTS]
    if targets:
        return [index.by_bucket[id(t.block)] for t in targets
                if id(t.block) in index.by_bucket and t.suffix.startswith("/")]
    if is_unresolved(resource):
        named = _symbolic_objects(resource, statement, index, graph)
        if named is not None:
            return named
        unresolved.append(f"{statement.source}: Resource {resource!r} could not be resolved")
        return []
    match = _S3_ARN.match(resource)
    return _objects_matching(match.group(1), match.group(2), index, statement.holder.root) if match else []


def _symbolic_objects(resource: str, statement: Statement, index: EncryptedBuckets,
                      graph: ResourceGraph) -> list[EncryptedBucket] | None:
    """The buckets an S3 ARN built from unknown parts names, when a bucket of the root is named from the same parts.

    ``arn:aws:s3:::logs-${data.aws_caller_identity.current.account_id}/*`` and a
    bucket named ``logs-${data.aws_caller_identity.current.account_id}`` are one
    bucket, whatever the account (the same for a template parameter). None:
    no bucket is named so, and the Resource stays "cannot tell".
    """
    match = _S3_ARN_ANY.match(resource)
    if not match or any(c in match.group(1) for c in "*?"):
        return None
    buckets = graph.named(BUCKET, "bucket", match.group(1), statement.holder)
    if not buckets:
        return None
    if match.group(2) is None:
        return []  # the bucket ARN alone names no object
    return [index.by_bucket[id(b)] for b in buckets if id(b) in index.by_bucket]


def _objects_matching(bucket: str, objects: str | None, index: EncryptedBuckets, root: str) -> list[EncryptedBucket]:
    """Buckets of ``root`` whose objects a literal ``arn:aws:s3:::<bucket>[/<objects>]`` covers."""
    if objects:
        if not any(c in bucket for c in "*?"):
            return index.by_name.get((root, bucket), [])
        return [e for e in index.all if e.name and e.bucket.root == root and iam_glob(e.name, bucket)]
    # No "/": only a wildcard reaches objects, since IAM's * also matches "/" (arn:aws:s3:::acme-*).
    return [e for e in index.all
            if e.name and e.bucket.root == root and "*" in bucket and iam_glob(f"{e.name}/object", bucket)]


def _replication(graph: ResourceGraph) -> dict[int, list[Replication]]:
    """id(role) -> the SSE-KMS replications it performs."""
    return graph.memo("kms_needs.replication", _build_replication)


def _build_replication(graph: ResourceGraph) -> dict[int, list[Replication]]:
    index = encrypted_buckets(graph)
    replication: dict[int, list[Replication]] = defaultdict(list)
    for block in graph.of_type("aws_s3_bucket_replication_configuration"):
        value = unwrap(block.config.get("bucket"))
        buckets = graph.resolve(block, "bucket", (BUCKET,), value) or graph.named(BUCKET, "bucket", value, block)
        encrypted = [index.by_bucket[id(b)] for b in buckets if id(b) in index.by_bucket]
        sources = [key for e in encrypted for key in e.keys]
        uses = {e.bucket_keys for e in encrypted} or {False}
        bucket_keys = True if True in uses else None if None in uses else False
        for rule in block.config.get("rule") or []:
            if not isinstance(rule, dict):
                continue
            if not _sse_kms_replicated(rule):
                # Without sse_kms_encrypted_objects S3 replicates no SSE-KMS object, and SSE-S3 replicas need no KMS.
                for role in roles_named(graph, block, "role"):
                    replication[id(role)].append(Replication(block.address, [], [], False, sse_kms=False))
                continue
            replicas = [key for destination in _blocks(rule.get("destination"))
                        for encryption in _blocks(destination.get("encryption_configuration"))
                        for key in nameable(classify(encryption.get("replica_kms_key_id"), block, "rule", graph),
                                            graph, block)]
            for role in roles_named(graph, block, "role"):
                replication[id(role)].append(Replication(block.address, sources, replicas, bucket_keys))
    return replication


def _sse_kms_replicated(rule: dict) -> bool:
    for criteria in _blocks(rule.get("source_selection_criteria")):
        for sse in _blocks(criteria.get("sse_kms_encrypted_objects")):
            if str(unwrap(sse.get("status"))).lower() == "enabled":
                return True
    return False


def _blocks(value: Any) -> list[dict]:
    value = value if isinstance(value, list) else [value]
    return [v for v in value if isinstance(v, dict)]

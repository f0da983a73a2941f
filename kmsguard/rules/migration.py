"""The fix intent for a bucket that must move to a customer-managed key (CKV_KMSG_1, CKV2_KMSG_1).

Only what the rule can see plainly is fixed: no default encryption, SSE-S3
(AES256), ``aws:kms`` with no key or with the AWS-managed ``aws/s3`` key. A
value kmsguard cannot read (a variable with no value, a dynamic block) is a
guess, so there is no intent. Which key: the customer keys that already
encrypt other buckets of the same module instance (or root) are the
candidates; none means a new key beside the bucket, one means that key, two
or more are listed and nothing is changed. A log target on ``aws/s3``, or one
whose deliveries support only SSE-S3, moves to SSE-S3 instead (S3 server
access logs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
"""
from __future__ import annotations

from kmsguard.model.fix_intents import Intent, NotFixable, UseCustomerKey
from kmsguard.model.resources import Block, ResourceGraph, module_prefix
from kmsguard.model.values import framework_of
from kmsguard.rules.bucket_index import bucket_index
from kmsguard.rules.encrypted_buckets import encrypted_buckets
from kmsguard.rules.key_classes import KeyKind
from kmsguard.rules.s3_encryption import RuleCheck, block_rules, has_inline


def _fixable(rule: RuleCheck) -> bool:
    """A rule whose problem is plain: SSE-S3, or SSE-KMS with no key or the AWS-managed key."""
    if rule.problem is None:
        return True
    if rule.algorithm == "AES256":
        return True
    return rule.is_kms and rule.key is not None and rule.key.kind is KeyKind.AWS_MANAGED


MAX_NAMED = 5  # candidate keys named in a refusal; a root with hundreds would drown the summary


def migration_intents(bucket: Block, graph: ResourceGraph) -> list[Intent]:
    """The UseCustomerKey intent for ``bucket``, a NotFixable with the reason, or nothing (a guess)."""
    if framework_of(bucket) not in ("terraform", "cloudformation"):
        return []  # a plan is never edited
    index = bucket_index(graph)
    if index.unlinked_near(bucket):
        return []
    inline = has_inline(bucket.config)
    configs = index.configs_of(bucket)
    if len(configs) + (1 if inline else 0) > 1:
        return [NotFixable("more than one encryption configuration sets this bucket's default encryption: "
                           "keep one, then run kmsguard fix again")]
    configuration = bucket if inline else (configs[0] if configs else None)
    rules = block_rules(graph, configuration, inline) if configuration is not None else []
    if not all(_fixable(rule) for rule in rules) or len(rules) > 1:
        return []
    deliveries = index.deliveries_of(bucket)
    if deliveries:
        if any(d.unknown for d in deliveries):
            return []
        return [UseCustomerKey(bucket, configuration, None, (), "log target: use SSE-S3 (AES256)", sse_s3=True)]
    candidates = _candidates(bucket, graph)
    if len(candidates) > 1:
        names = ", ".join(c.address for c in candidates[:MAX_NAMED])
        if len(candidates) > MAX_NAMED:
            names += f" and {len(candidates) - MAX_NAMED} more"
        module = module_prefix(bucket.address).rstrip(".")
        where = "this template" if framework_of(bucket) == "cloudformation" else (module or "this root")
        return [NotFixable(f"two or more customer keys encrypt other buckets of {where} ({names}): "
                           "kmsguard fix does not guess which one this bucket should use; set it by hand")]
    key = candidates[0] if candidates else None
    what = f"use {key.address}" if key is not None else "use a new customer-managed key"
    return [UseCustomerKey(bucket, configuration, key, tuple(candidates), what)]


def _candidates(bucket: Block, graph: ResourceGraph) -> list[Block]:
    """The customer key resources that encrypt other buckets of the bucket's module instance (or root)."""
    found: dict[int, Block] = {}
    by_module = graph.memo("migration.keys_by_module", _keys_by_module)
    for other, keys in by_module.get((bucket.root, module_prefix(bucket.address)), []):
        if other is not bucket:
            for key in keys:
                found.setdefault(id(key), key)
    return list(found.values())


def _keys_by_module(graph: ResourceGraph) -> dict[tuple[str, str], list[tuple[Block, list[Block]]]]:
    """(root, module instance) -> each SSE-KMS bucket there with its customer key resources."""
    index: dict[tuple[str, str], list[tuple[Block, list[Block]]]] = {}
    for encrypted in encrypted_buckets(graph).all:
        keys = [k for k in encrypted.keys if isinstance(k, Block) and k.type == "aws_kms_key"]
        other = encrypted.bucket
        index.setdefault((other.root, module_prefix(other.address)), []).append((other, keys))
    return index

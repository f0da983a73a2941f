"""S3 default encryption: which configuration applies to which bucket, and is it right?

A bucket's default encryption comes from its legacy inline
``server_side_encryption_configuration`` block or from
``aws_s3_bucket_server_side_encryption_configuration`` resources that target
it by reference or by literal bucket name. Buckets that receive S3 server
access logs are exempt from the customer-managed-key rule: log delivery
supports SSE-S3 (and at most a customer-managed key the log service may use),
never the AWS-managed ``aws/s3`` key.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kmsguard.graph import Block, ResourceGraph
from kmsguard.keys import KeyClass, KeyKind, classify
from kmsguard.references import describe, is_unresolved, unwrap

SSE_KMS = ("aws:kms", "aws:kms:dsse")
BUCKET = "aws_s3_bucket"
ENCRYPTION_CONFIG = "aws_s3_bucket_server_side_encryption_configuration"
LOGGING = "aws_s3_bucket_logging"
INLINE = "server_side_encryption_configuration"


@dataclass
class RuleCheck:
    """One ``rule`` of an encryption configuration, judged."""

    algorithm: Any
    key: KeyClass | None
    problem: str | None  # None when the rule is SSE-KMS with a customer-managed key
    bucket_key_enabled: Any = None

    @property
    def is_kms(self) -> bool:
        return self.algorithm in SSE_KMS

    @property
    def summary(self) -> str:
        """What the rule sets, for PASSED details."""
        return f"{self.algorithm} with {self.key.description}" if self.key else str(self.algorithm)


@dataclass
class EncryptionConfig:
    """A place that sets a bucket's default encryption."""

    source: str  # address of the resource that holds it
    rules: list[RuleCheck]

    @property
    def problems(self) -> list[str]:
        if not self.rules:
            return [f"{self.source} has no default encryption rule"]
        return [f"{self.source}: {r.problem}" for r in self.rules if r.problem]


def rules_of(conf: dict, inline: bool) -> list[dict]:
    """The ``rule`` blocks of an encryption configuration (legacy inline or resource)."""
    if inline:
        blocks = conf.get(INLINE) or []
        blocks = blocks if isinstance(blocks, list) else [blocks]
        rules = [r for b in blocks if isinstance(b, dict) for r in _as_list(b.get("rule"))]
    else:
        rules = _as_list(conf.get("rule"))
    return [r for r in rules if isinstance(r, dict)]


DYNAMIC = ("encryption rules come from a dynamic block whose for_each is not known before apply{why}: give it a "
           "value (a tfvars file or --var-file), or scan the Terraform plan")


def judge_rules(conf: dict, inline: bool, owner: Block | None, graph: ResourceGraph | None) -> list[RuleCheck]:
    label = INLINE if inline else "rule"
    if _has_dynamic(conf.get(INLINE) if inline else conf) or (inline and _has_dynamic_inline(conf)):
        why = [u for u in owner.unknown if u.startswith("dynamic block")] if owner is not None else []
        return [RuleCheck(None, None, DYNAMIC.format(why=f" ({'; '.join(why)})" if why else ""))]
    return [_judge_rule(rule, owner, label, graph) for rule in rules_of(conf, inline)]


def block_rules(graph: ResourceGraph, block: Block, inline: bool) -> list[RuleCheck]:
    """judge_rules for a block of the graph, once per scan (several checks ask for the same block)."""
    return graph.memo(("s3.rules", id(block), inline), lambda g: judge_rules(block.config, inline, block, g))


def _judge_rule(rule: dict, owner: Block | None, label: str, graph: ResourceGraph | None) -> RuleCheck:
    default = unwrap(rule.get("apply_server_side_encryption_by_default"))
    bucket_key = unwrap(rule.get("bucket_key_enabled"))
    if not isinstance(default, dict):
        return RuleCheck(None, None, "rule has no apply_server_side_encryption_by_default block", bucket_key)
    algorithm = unwrap(default.get("sse_algorithm"))
    if algorithm == "AES256":
        return RuleCheck(algorithm, None, "uses SSE-S3 (AES256), not SSE-KMS with a customer-managed key", bucket_key)
    if algorithm not in SSE_KMS:
        why = "could not be resolved" if is_unresolved(algorithm) else "is not a known S3 algorithm"
        return RuleCheck(algorithm, None, f"sse_algorithm {describe(algorithm)} {why}", bucket_key)
    key = classify(default.get("kms_master_key_id"), owner, label, graph)
    if key.kind is KeyKind.CUSTOMER_MANAGED:
        return RuleCheck(algorithm, key, None, bucket_key)
    return RuleCheck(algorithm, key, f"{algorithm} with {key.description}", bucket_key)


def _has_dynamic(value: Any) -> bool:
    """Whether a ``dynamic`` block sits anywhere in an encryption configuration."""
    if isinstance(value, dict):
        return "dynamic" in value or any(_has_dynamic(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_dynamic(v) for v in value)
    return False


def has_inline(conf: dict) -> bool:
    """Whether a bucket sets encryption in its legacy inline block (possibly a dynamic one)."""
    return bool(conf.get(INLINE)) or _has_dynamic_inline(conf)


def _has_dynamic_inline(conf: dict) -> bool:
    return any(isinstance(d, dict) and INLINE in d for d in _as_list(conf.get("dynamic")))


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class BucketIndex:
    """Per scan: each bucket's encryption configurations and the log deliveries it receives."""

    configs: dict[int, list[Block]] = field(default_factory=lambda: defaultdict(list))
    config_targets: dict[int, list[Block]] = field(default_factory=lambda: defaultdict(list))
    log_sources: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def configs_of(self, bucket: Block) -> list[Block]:
        return self.configs.get(id(bucket), [])

    def buckets_of(self, config: Block) -> list[Block]:
        return self.config_targets.get(id(config), [])

    def log_sources_of(self, bucket: Block) -> list[str]:
        return self.log_sources.get(id(bucket), [])


def bucket_index(graph: ResourceGraph) -> BucketIndex:
    return graph.memo("s3.bucket_index", _build_index)


def _build_index(graph: ResourceGraph) -> BucketIndex:
    def targets(block: Block, attribute: str, value: Any) -> list[Block]:
        value = unwrap(value)
        found = graph.resolve(block, attribute, (BUCKET,), value)
        return found or graph.named(BUCKET, "bucket", value, block)

    index = BucketIndex()
    for config in graph.of_type(ENCRYPTION_CONFIG):
        for bucket in targets(config, "bucket", config.get("bucket")):
            index.configs[id(bucket)].append(config)
            index.config_targets[id(config)].append(bucket)
    for logging in graph.of_type(LOGGING):
        for bucket in targets(logging, "target_bucket", logging.get("target_bucket")):
            index.log_sources[id(bucket)].append(logging.address)
    for source in graph.of_type(BUCKET):
        for block in _as_list(source.config.get("logging")):
            if isinstance(block, dict):
                for bucket in targets(source, "logging", block.get("target_bucket")):
                    index.log_sources[id(bucket)].append(source.address)
    return index


def log_target_verdict(rules: list[RuleCheck], sources: list[str]) -> tuple[bool, str]:
    """(ok, detail) for a bucket that receives server access logs."""
    who = ", ".join(sorted(set(sources)))
    aws_managed = [r for r in rules if r.key is not None and r.key.kind is KeyKind.AWS_MANAGED]
    if aws_managed:
        return False, (
            f"receives S3 server access logs (from {who}), and log delivery cannot use the AWS-managed "
            "aws/s3 key: use SSE-S3 (AES256) or a customer-managed key whose key policy allows "
            "logging.s3.amazonaws.com"
        )
    # Exempt from the customer-managed-key rule, but an unknown setting is still not a pass.
    unknown = [r.problem for r in rules if r.problem and r.algorithm != "AES256"]
    if unknown:
        return False, f"receives S3 server access logs (from {who}), but its encryption is unknown: {'; '.join(unknown)}"
    return True, f"exempt: receives S3 server access logs (from {who}), which require SSE-S3 or a key the log service may use"

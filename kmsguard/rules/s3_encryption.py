"""S3 default encryption: is each rule of a configuration SSE-KMS with a customer-managed key?

A bucket's default encryption comes from its legacy inline
``server_side_encryption_configuration`` block or from
``aws_s3_bucket_server_side_encryption_configuration`` resources that target
it by reference or by literal bucket name (``bucket_index`` links them).
Buckets that receive logs a service delivers have that service's encryption
rules instead (``bucket_index.log_target_verdict``): S3 server access logs and
Network Load Balancer access logs take SSE-S3 or a customer-managed key the
log service may use, never ``aws/s3``; Application and Classic Load Balancer
logs take SSE-S3 only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import (
    as_list,
    attribute_name,
    describe,
    how_to_provide,
    is_unresolved,
    unwrap,
)
from kmsguard.rules.key_classes import KeyClass, KeyKind, classify

SSE_KMS = ("aws:kms", "aws:kms:dsse")
BUCKET = "aws_s3_bucket"
ENCRYPTION_CONFIG = "aws_s3_bucket_server_side_encryption_configuration"
LOGGING = "aws_s3_bucket_logging"
INLINE = "server_side_encryption_configuration"
LOAD_BALANCERS = ("aws_lb", "aws_alb")
CLASSIC_LOAD_BALANCER = "aws_elb"
LOG_DELIVERY_GROUP = "http://acs.amazonaws.com/groups/s3/LogDelivery"
S3_LOGGING_SERVICE = "logging.s3.amazonaws.com"
ELB_LOGGING_SERVICE = "delivery.logs.amazonaws.com"
ALB_LOGGING_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


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
        rules = [r for b in blocks if isinstance(b, dict) for r in as_list(b.get("rule"))]
    else:
        rules = as_list(conf.get("rule"))
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
    by_default, sse_algorithm = (attribute_name(owner, n) for n in ("apply_server_side_encryption_by_default",
                                                                     "sse_algorithm"))  # a template's own words
    if not isinstance(default, dict):
        return RuleCheck(None, None, f"rule has no {by_default} block", bucket_key)
    algorithm = unwrap(default.get("sse_algorithm"))
    if algorithm == "AES256":
        return RuleCheck(algorithm, None, "uses SSE-S3 (AES256), not SSE-KMS with a customer-managed key", bucket_key)
    if algorithm not in SSE_KMS:
        if algorithm is None:
            return RuleCheck(algorithm, None, f"{sse_algorithm} is not set", bucket_key)
        if is_unresolved(algorithm):
            why = how_to_provide(owner, algorithm) if owner is not None else "not known before apply"
            return RuleCheck(algorithm, None, f"{sse_algorithm} {describe(algorithm)} is {why}", bucket_key)
        return RuleCheck(algorithm, None, f"{sse_algorithm} {describe(algorithm)} is not a known S3 algorithm",
                         bucket_key)
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
    return any(isinstance(d, dict) and INLINE in d for d in as_list(conf.get("dynamic")))

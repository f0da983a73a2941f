"""Per scan, for each S3 bucket: the encryption configurations that apply to it and the logs services deliver into it.

A configuration applies to the buckets its ``bucket`` names, by reference or
by literal name. A bucket that receives logs (S3 server access logging, load
balancer access logs, a log-delivery grant or bucket policy) must keep an
encryption the delivering service accepts: ``log_target_verdict`` judges
that instead of the customer-managed-key rule.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import (
    as_bool,
    as_list,
    attribute_setting,
    describe,
    how_to_provide,
    is_unresolved,
    unwrap,
)
from kmsguard.rules.key_classes import KeyKind
from kmsguard.rules.s3_encryption import (
    ALB_LOGGING_SERVICE,
    BUCKET,
    CLASSIC_LOAD_BALANCER,
    ELB_LOGGING_SERVICE,
    ENCRYPTION_CONFIG,
    LOAD_BALANCERS,
    LOG_DELIVERY_GROUP,
    LOGGING,
    S3_LOGGING_SERVICE,
    RuleCheck,
)


@dataclass(frozen=True)
class LogDelivery:
    """Logs a service delivers to a bucket, and which default encryption that delivery works with."""

    source: str  # what sets it up: an address, or the bucket's grant
    service: str  # "S3 server access logs", "Application Load Balancer access logs", ...
    sse_s3_only: bool  # documented to support only SSE-S3 (any KMS key breaks delivery)
    principal: str | None = None  # the service a customer-managed key's policy must let use the key
    unknown: str | None = None  # why the scan cannot tell whether or what it delivers


@dataclass
class BucketIndex:
    """Per scan: each bucket's encryption configurations and the log deliveries it receives."""

    configs: dict[int, list[Block]] = field(default_factory=lambda: defaultdict(list))
    config_targets: dict[int, list[Block]] = field(default_factory=lambda: defaultdict(list))
    deliveries: dict[int, list[LogDelivery]] = field(default_factory=lambda: defaultdict(list))
    unlinked: list[tuple[Block, Any]] = field(default_factory=list)  # configurations whose bucket is unknown

    def configs_of(self, bucket: Block) -> list[Block]:
        return self.configs.get(id(bucket), [])

    def buckets_of(self, config: Block) -> list[Block]:
        return self.config_targets.get(id(config), [])

    def deliveries_of(self, bucket: Block) -> list[LogDelivery]:
        return self.deliveries.get(id(bucket), [])

    def log_sources_of(self, bucket: Block) -> list[str]:
        return [d.source for d in self.deliveries_of(bucket)]

    def unlinked_near(self, bucket: Block) -> list[tuple[Block, Any]]:
        """Configurations in the bucket's root whose ``bucket`` is not known: any of them may be this bucket's."""
        return [(config, value) for config, value in self.unlinked if config.root == bucket.root]


def bucket_index(graph: ResourceGraph) -> BucketIndex:
    return graph.memo("s3.bucket_index", _build_index)


def _build_index(graph: ResourceGraph) -> BucketIndex:
    def targets(block: Block, attribute: str, value: Any) -> list[Block]:
        value = unwrap(value)
        found = graph.resolve(block, attribute, (BUCKET,), value)
        return found or graph.named(BUCKET, "bucket", value, block)

    index = BucketIndex()
    _link_configs(graph, index, targets)

    def deliver(block: Block, label: str, value: Any, delivery: LogDelivery) -> None:
        for bucket in targets(block, label, value):
            index.deliveries[id(bucket)].append(delivery)

    for source, label, block in _s3_logging(graph):
        deliver(source, label, block.get("target_bucket"),
                LogDelivery(source.address, "S3 server access logs", False, S3_LOGGING_SERVICE))
    for kind in LOAD_BALANCERS + (CLASSIC_LOAD_BALANCER,):
        for balancer in graph.of_type(kind):
            for label, block, delivery in _balancer_deliveries(balancer):
                deliver(balancer, label, block.get("bucket"), delivery)
    _deliveries_by_grant(graph, index, targets)
    return index


def _s3_logging(graph: ResourceGraph) -> list[tuple[Block, str, dict]]:
    """(source, label, block holding target_bucket) for each S3 server access logging setup."""
    found = [(logging, "target_bucket", logging.config) for logging in graph.of_type(LOGGING)]
    found += [(source, "logging", block) for source in graph.of_type(BUCKET)
              for block in as_list(source.config.get("logging")) if isinstance(block, dict)]
    return [(source, label, {"target_bucket": unwrap(block.get("target_bucket"))}) for source, label, block in found]


def _link_configs(graph: ResourceGraph, index: BucketIndex, targets) -> None:
    for config in graph.of_type(ENCRYPTION_CONFIG):
        value = unwrap(config.get("bucket"))
        buckets = targets(config, "bucket", value)
        for bucket in buckets:
            index.configs[id(bucket)].append(config)
            index.config_targets[id(config)].append(bucket)
        if not buckets and (value is None or is_unresolved(value)):
            index.unlinked.append((config, value))


def _balancer_deliveries(balancer: Block) -> list[tuple[str, dict, LogDelivery]]:
    """The log deliveries a load balancer sets up (ELB user guides, "access logs" / "connection logs")."""
    found = []
    classic = balancer.type == CLASSIC_LOAD_BALANCER
    lb_type = "classic" if classic else unwrap(balancer.config.get("load_balancer_type"))
    lb_type = "application" if lb_type is None else lb_type  # the provider's default
    for label in ("access_logs",) + (() if classic else ("connection_logs",)):
        for block in as_list(balancer.config.get(label)):
            if not isinstance(block, dict):
                continue
            raw = unwrap(block.get("enabled"))
            # aws_lb: enabled defaults to false even with a bucket; aws_elb: to true (provider docs).
            enabled = (classic if raw is None else as_bool(raw))
            logs = "connection logs" if label == "connection_logs" else "access logs"
            unknown = None
            if enabled is None:
                unknown = f"{label}.enabled {describe(raw)} is {how_to_provide(balancer, raw)}"
            elif not enabled:
                continue
            if lb_type == "application" or classic:
                name = "Classic" if classic else "Application"
                found.append((label, block, LogDelivery(balancer.address, f"{name} Load Balancer {logs}", True,
                                                        unknown=unknown)))
            elif lb_type == "network" and label == "access_logs":
                found.append((label, block, LogDelivery(balancer.address, "Network Load Balancer access logs", False,
                                                        ELB_LOGGING_SERVICE, unknown)))
            elif isinstance(lb_type, str) and is_unresolved(lb_type):
                why = f"load_balancer_type {describe(lb_type)} is {how_to_provide(balancer, lb_type)}"
                found.append((label, block, LogDelivery(balancer.address, f"load balancer {logs}", True, unknown=why)))
            # gateway (and other) load balancers publish no such logs: not a delivery
    return found


def _deliveries_by_grant(graph: ResourceGraph, index: BucketIndex, targets) -> None:
    """Log targets known by the grants a delivery needs, for sources the scan does not hold.

    A bucket policy may be assembled inside a module (terraform-aws-modules
    s3-bucket's ``attach_*_log_delivery_policy`` inputs): its documents are
    followed through ``source_policy_documents`` and ``override_policy_documents``.
    """
    for bucket, why, delivery in _log_grants(graph, targets):
        if not any(d.service == delivery.service and not d.unknown for d in index.deliveries[id(bucket)]):
            index.deliveries[id(bucket)].append(LogDelivery(f"a source outside the scan ({why})", delivery.service,
                                                            delivery.sse_s3_only, delivery.principal))


# Service principals a bucket policy lets put log objects, and the delivery each stands for.
# ALB access logs (ELB user guide, "Enable access logs for your Application Load Balancer": Regions
# since August 2022 use logdelivery.elasticloadbalancing.amazonaws.com) support only SSE-S3; vended logs
# through delivery.logs.amazonaws.com (NLB access logs, VPC Flow Logs, WAF) take a customer key whose
# key policy allows that service.
_POLICY_DELIVERIES = {
    S3_LOGGING_SERVICE: LogDelivery("", "S3 server access logs", False, S3_LOGGING_SERVICE),
    ALB_LOGGING_SERVICE: LogDelivery("", "Application Load Balancer access logs", True),
    ELB_LOGGING_SERVICE: LogDelivery("", "log delivery by delivery.logs.amazonaws.com (NLB access logs and other "
                                         "vended logs)", False, ELB_LOGGING_SERVICE),
}


def _log_grants(graph: ResourceGraph, targets) -> list[tuple[Block, str, LogDelivery]]:
    acl_grant = "grants the S3 LogDelivery group write access"
    s3_logs = _POLICY_DELIVERIES[S3_LOGGING_SERVICE]
    found = [(b, f"{b.address} {acl_grant}", s3_logs) for b in graph.of_type(BUCKET) if _acl_grants_log_delivery(b)]
    found += [(bucket, f"{acl.address} {acl_grant}", s3_logs) for acl in graph.of_type("aws_s3_bucket_acl")
              if _acl_grants_log_delivery(acl) for bucket in targets(acl, "bucket", acl.get("bucket"))]
    for b in graph.of_type(BUCKET):
        for service in _policy_log_services(b.config.get("policy"), b, "policy", graph):
            found.append((b, f"{b.address} has a bucket policy that lets {service} put objects",
                          _POLICY_DELIVERIES[service]))
    for policy in graph.of_type("aws_s3_bucket_policy"):
        services = _policy_log_services(policy.config.get("policy"), policy, "policy", graph)
        for bucket in targets(policy, "bucket", policy.get("bucket")) if services else []:
            found += [(bucket, f"the bucket policy {policy.address} lets {service} put objects",
                       _POLICY_DELIVERIES[service]) for service in services]
    return found


def _acl_grants_log_delivery(holder: Block) -> bool:
    """An ``aws_s3_bucket_acl`` (or a bucket's legacy ``acl``/``grant``) that lets S3 deliver access logs."""
    if unwrap(holder.config.get("acl")) == "log-delivery-write":
        return True
    if holder.type == BUCKET:
        return _grants_log_delivery(holder.config.get("grant"))
    policy = unwrap(holder.config.get("access_control_policy"))
    return isinstance(policy, dict) and _grants_log_delivery(unwrap(policy.get("grant")), nested=True)


def _grants_log_delivery(grants: Any, nested: bool = False) -> bool:
    """A WRITE (or FULL_CONTROL) grant to the LogDelivery group, the legacy way to let S3 deliver access logs."""
    for grant in as_list(grants):
        grant = unwrap(grant)
        if not isinstance(grant, dict):
            continue
        grantee = unwrap(grant.get("grantee")) if nested else grant
        uri = unwrap(grantee.get("uri")) if isinstance(grantee, dict) else None
        permissions = [unwrap(p) for p in as_list(unwrap(grant.get("permission") if nested else grant.get("permissions")))]
        if uri == LOG_DELIVERY_GROUP and ({"WRITE", "FULL_CONTROL"} & {p for p in permissions if isinstance(p, str)}):
            return True
    return False


def _policy_log_services(value: Any, holder: Block, label: str, graph: ResourceGraph) -> list[str]:
    """The log delivery services a bucket policy allows to s3:PutObject (S3 and ELB user guides, access logs)."""
    found = []
    for effect, services, actions in _service_statements(value, holder, label, graph):
        services = [unwrap(x) for x in as_list(unwrap(services))]
        actions = [str(unwrap(a)).lower() for a in as_list(unwrap(actions))]
        if effect == "Allow" and any(a in ("s3:putobject", "s3:*", "*", "s3:put*") for a in actions):
            found += [s for s in services if s in _POLICY_DELIVERIES]
    return list(dict.fromkeys(found))


def _service_statements(value: Any, holder: Block, label: str, graph: ResourceGraph,
                        seen: frozenset[int] = frozenset()) -> list[tuple[Any, Any, Any]]:
    """(effect, service principals, actions) of each statement of a policy (JSON, jsonencode or a policy document)."""
    value = unwrap(value)
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    statements: list[tuple[Any, Any, Any]] = []
    if isinstance(value, dict):
        for st in as_list(value.get("Statement")):
            if isinstance(st, dict) and isinstance(st.get("Principal"), dict):
                statements.append((st.get("Effect"), st["Principal"].get("Service"), st.get("Action")))
    elif isinstance(value, str) and "data.aws_iam_policy_document." in value:
        for document in graph.resolve(holder, label, ("data.aws_iam_policy_document",), value):
            if id(document) not in seen:
                statements += _document_statements(document, graph, seen | {id(document)})
    return statements


def _document_statements(document: Block, graph: ResourceGraph, seen: frozenset[int]) -> list[tuple[Any, Any, Any]]:
    """A policy document's statements, with those of the documents it includes (source and override)."""
    statements: list[tuple[Any, Any, Any]] = []
    for attribute in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        for included in as_list(unwrap(document.config.get(attribute))):
            statements += _service_statements(included, document, attribute, graph, seen)
    for st in as_list(document.config.get("statement")):
        if not isinstance(st, dict):
            continue
        services = [i for p in as_list(st.get("principals")) if isinstance(p, dict)
                    and unwrap(p.get("type")) == "Service" for i in as_list(unwrap(p.get("identifiers")))]
        statements.append((unwrap(st.get("effect")) or "Allow", services, unwrap(st.get("actions"))))
    return statements


def log_target_verdict(rules: list[RuleCheck], deliveries: list[LogDelivery], near: Block | None = None
                       ) -> tuple[bool, str]:
    """(ok, detail) for a bucket that receives logs a service delivers: every delivery's rule must hold.

    ``near`` (the judged block) picks the words of its source for the setting to change.
    """
    who = "; ".join(dict.fromkeys(f"{d.service} from {d.source}" for d in deliveries))
    receives = f"receives {who}"
    unknown = [d.unknown for d in deliveries if d.unknown]
    if unknown:
        return False, f"may receive {who}, but kmsguard cannot tell: {'; '.join(dict.fromkeys(unknown))}"
    kms = [r for r in rules if r.is_kms]
    strict = [d for d in deliveries if d.sse_s3_only]
    if strict and kms:
        names = ", ".join(dict.fromkeys(d.service for d in strict))
        return False, (
            f"{receives}, and AWS documents SSE-S3 as the only encryption {names} support: a KMS key "
            f"({kms[0].summary}) breaks log delivery. Use {attribute_setting(near, 'sse_algorithm', 'AES256')} "
            "for this bucket")
    aws_managed = [r for r in rules if r.key is not None and r.key.kind is KeyKind.AWS_MANAGED]
    if aws_managed:
        services = " / ".join(dict.fromkeys(d.principal for d in deliveries if d.principal))
        return False, (
            f"{receives}, and log delivery cannot use the AWS-managed aws/s3 key (its key policy cannot be "
            f"changed): use SSE-S3 (AES256) or a customer-managed key whose key policy allows {services}")
    # Exempt from the customer-managed-key rule, but an unknown setting is still not a pass.
    problems = [r.problem for r in rules if r.problem and r.algorithm != "AES256"]
    if problems:
        return False, f"{receives}, but its encryption is unknown: {'; '.join(problems)}"
    if strict:
        return True, f"exempt: {receives}, which support only SSE-S3"
    services = " / ".join(dict.fromkeys(d.principal for d in deliveries if d.principal))
    return True, (f"exempt: {receives}, which take SSE-S3 or a customer-managed key whose key policy "
                  f"allows {services}")

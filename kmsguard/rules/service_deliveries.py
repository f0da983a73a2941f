"""AWS services that write objects into an S3 bucket on their own: who writes, into which bucket, with which key.

Each delivery is set up by one resource (the one CKV2_KMSG_3 reports on) and
is written by a service principal, which KMS authorises by the key policy
alone: the account-root statement lets IAM policies grant, and a service
principal has none. What each service needs is in ``SERVICES``, from the AWS
page each row cites (docs/checks/CKV2_KMSG_3.md has the table).

Application and Classic Load Balancer logs are not deliveries here: AWS
allows only SSE-S3 for them, which CKV_KMSG_1 / CKV2_KMSG_1 already enforce
on the bucket (one fault fails once).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import as_bool, describe, how_to_provide, is_unresolved, unwrap
from kmsguard.rules.s3_encryption import BUCKET, LOAD_BALANCERS, LOGGING


@dataclass(frozen=True)
class Service:
    """A service that writes into buckets, and what a customer-managed key's policy must let it do."""

    name: str  # "S3 server access logs"
    principal: str  # the service principal named in the key policy
    actions: tuple[str, ...]  # as the AWS page's key policy statement lists them
    docs: str  # the AWS page
    source: str  # what aws:SourceArn names: "bucket" (the source bucket), "logs", "trail", "" (not recommended)
    sid: str


S3_LOGS = Service("S3 server access logs", "logging.s3.amazonaws.com", ("kms:GenerateDataKey",),
                  "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
                  "bucket", "AllowS3ServerAccessLogDelivery")
_VENDED = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
_VENDED_DOCS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html"
FLOW_LOGS = Service("VPC Flow Logs", "delivery.logs.amazonaws.com", _VENDED,
                    "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html",
                    "logs", "AllowVpcFlowLogDelivery")
NLB_LOGS = Service("Network Load Balancer access logs", "delivery.logs.amazonaws.com", _VENDED,
                   "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html",
                   "logs", "AllowNlbAccessLogDelivery")
WAF_LOGS = Service("AWS WAF logs", "delivery.logs.amazonaws.com", _VENDED,
                   "https://docs.aws.amazon.com/waf/latest/developerguide/logging-s3.html",
                   "logs", "AllowWafLogDelivery")
TRAIL_KEY = Service("CloudTrail log files (the trail's own key)", "cloudtrail.amazonaws.com",
                    ("kms:GenerateDataKey*", "kms:DescribeKey"),
                    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
                    "trail", "AllowCloudTrailToEncryptLogs")
TRAIL_BUCKET = Service("CloudTrail log files", "cloudtrail.amazonaws.com", ("kms:GenerateDataKey*",),
                       "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
                       "", "AllowCloudTrailLogDelivery")
INVENTORY = Service("S3 Inventory reports", "s3.amazonaws.com", ("kms:GenerateDataKey",),
                    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configure-inventory.html",
                    "bucket", "AllowS3InventoryReports")
ANALYTICS = Service("S3 Storage Class Analysis exports", "s3.amazonaws.com", ("kms:GenerateDataKey",),
                    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/analytics-storage-class.html",
                    "bucket", "AllowS3AnalyticsExports")
CONFIG = Service("AWS Config configuration snapshots and history", "config.amazonaws.com",
                 ("kms:Decrypt", "kms:GenerateDataKey"),
                 "https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html",
                 "", "AWSConfigKMSPolicy")

CLOUDTRAIL = "aws_cloudtrail"
FLOW_LOG = "aws_flow_log"
INVENTORY_TYPE = "aws_s3_bucket_inventory"
ANALYTICS_TYPE = "aws_s3_bucket_analytics_configuration"
WAF_LOGGING = "aws_wafv2_web_acl_logging_configuration"
CONFIG_CHANNEL = "aws_config_delivery_channel"
CONFIG_RECORDER = "aws_config_configuration_recorder"
DELIVERING_TYPES = (LOGGING, BUCKET, CLOUDTRAIL, FLOW_LOG) + LOAD_BALANCERS + (
    INVENTORY_TYPE, ANALYTICS_TYPE, WAF_LOGGING, CONFIG_CHANNEL)
# The service-linked role AWS Config records with (AWS Config developer guide, "Using service-linked roles").
CONFIG_SERVICE_LINKED_ROLE = re.compile(r":role/aws-service-role/config\.amazonaws\.com/")
_S3_ARN = re.compile(r"^arn:[^:]+:s3:::([^/]+)(?:/.*)?$")


@dataclass
class Delivery:
    """One service writing into one destination, as set up by ``source``."""

    source: Block  # the resource that sets it up (reported on)
    service: Service
    label: str  # the attribute of ``source`` that names the destination bucket
    destination: Any  # its value: a bucket name, a bucket ARN, or a reference
    own_key: tuple[str, Any] | None = None  # (attribute, value) of a key the delivery names itself
    sse_s3: bool = False  # the delivery asks for SSE-S3 itself (an inventory's sse_s3)
    unknown: str | None = None  # why the scan cannot tell whether it delivers
    source_arn: str | None = None  # aws:SourceArn of the service's requests, when literal
    role: Any = None  # AWS Config: the recorder's role_arn (None: no recorder in the scan)
    notes: list[str] = field(default_factory=list)

    @property
    def what(self) -> str:
        return f"{self.service.name} from {self.source.address}"


def deliveries(block: Block, graph: ResourceGraph) -> list[Delivery]:
    """The deliveries ``block`` sets up (none for a resource that delivers nothing)."""
    finder = _FINDERS.get(block.type)
    return finder(block, graph) if finder else []


def _items(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _nested(conf: Any, *path: str) -> list[dict]:
    """Every dict at ``path`` under ``conf`` (nested blocks are lists of dicts)."""
    found = [conf] if isinstance(conf, dict) else []
    for name in path:
        found = [item for parent in found for item in _items(parent.get(name)) if isinstance(item, dict)]
    return found


def _switch(block: Block, conf: dict, attribute: str, default: bool) -> tuple[bool, str | None]:
    """(on, unknown) for a boolean argument with a provider default."""
    raw = unwrap(conf.get(attribute))
    if raw is None:
        return default, None
    value = as_bool(raw)
    if value is None:
        return True, f"{attribute} {describe(raw)} is {how_to_provide(block, raw)}"
    return value, None


def _bucket_arn(name: Any) -> str | None:
    return f"arn:aws:s3:::{name}" if isinstance(name, str) and name and not is_unresolved(name) else None


def _s3_logging(block: Block, graph: ResourceGraph) -> list[Delivery]:
    if block.type == LOGGING:
        return [Delivery(block, S3_LOGS, "target_bucket", unwrap(block.config.get("target_bucket")),
                         source_arn=_bucket_arn(_source_name(block, graph)))]
    return [Delivery(block, S3_LOGS, "logging", unwrap(entry.get("target_bucket")), source_arn=_bucket_arn(block.get("bucket")))
            for entry in _nested(block.config, "logging")]


def _cloudtrail(block: Block, graph: ResourceGraph) -> list[Delivery]:
    on, unknown = _switch(block, block.config, "enable_logging", True)
    if not on:
        return []  # a trail that does not log delivers nothing
    key = block.config.get("kms_key_id")
    own = ("kms_key_id", unwrap(key)) if unwrap(key) not in (None, "") else None
    return [Delivery(block, TRAIL_KEY if own else TRAIL_BUCKET, "s3_bucket_name",
                     unwrap(block.config.get("s3_bucket_name")), own_key=own, unknown=unknown)]


def _flow_log(block: Block, graph: ResourceGraph) -> list[Delivery]:
    kind = unwrap(block.config.get("log_destination_type"))
    if kind is None or kind in ("cloud-watch-logs", "kinesis-data-firehose"):
        return []  # the provider's default is CloudWatch Logs
    unknown = None
    if kind != "s3":
        if not is_unresolved(kind):
            return []
        unknown = f"log_destination_type {describe(kind)} is {how_to_provide(block, kind)}"
    return [Delivery(block, FLOW_LOGS, "log_destination", unwrap(block.config.get("log_destination")), unknown=unknown)]


def _load_balancer(block: Block, graph: ResourceGraph) -> list[Delivery]:
    if unwrap(block.config.get("load_balancer_type")) != "network":
        return []  # ALB logs: SSE-S3 only, judged by CKV2_KMSG_1; an unknown type fails there too
    found = []
    for entry in _nested(block.config, "access_logs"):
        on, unknown = _switch(block, entry, "enabled", False)  # aws_lb: off unless enabled = true
        if on:
            found.append(Delivery(block, NLB_LOGS, "access_logs", unwrap(entry.get("bucket")), unknown=unknown))
    return found


def _inventory(block: Block, graph: ResourceGraph) -> list[Delivery]:
    on, unknown = _switch(block, block.config, "enabled", True)
    if not on:
        return []
    source = _bucket_arn(_source_name(block, graph))
    found = []
    for destination in _nested(block.config, "destination", "bucket"):
        sse_kms = _nested(destination, "encryption", "sse_kms")
        own = ("destination", unwrap(sse_kms[0].get("key_id"))) if sse_kms else None
        sse_s3 = bool(_nested(destination, "encryption", "sse_s3"))
        found.append(Delivery(block, INVENTORY, "destination", unwrap(destination.get("bucket_arn")), own_key=own,
                              sse_s3=sse_s3, unknown=unknown, source_arn=source))
    return found


def _analytics(block: Block, graph: ResourceGraph) -> list[Delivery]:
    source = _bucket_arn(_source_name(block, graph))
    return [Delivery(block, ANALYTICS, "storage_class_analysis", unwrap(d.get("bucket_arn")), source_arn=source)
            for d in _nested(block.config, "storage_class_analysis", "data_export", "destination", "s3_bucket_destination")]


def _waf(block: Block, graph: ResourceGraph) -> list[Delivery]:
    """S3 destinations among ``log_destination_configs`` (log groups and Firehose streams are not deliveries here)."""
    found = []
    for value in _items(unwrap(block.config.get("log_destination_configs"))):
        value = unwrap(value)
        text = value if isinstance(value, str) else ""
        if _S3_ARN.match(text) or graph.resolve(block, "log_destination_configs", (BUCKET,), text):
            found.append(Delivery(block, WAF_LOGS, "log_destination_configs", value))
        elif is_unresolved(text) and not graph.targets(block, "log_destination_configs", text, None):
            # Not known before apply and not a resource of the scan: it may be a bucket.
            found.append(Delivery(block, WAF_LOGS, "log_destination_configs", value,
                                  unknown=f"log destination {describe(value)} is {how_to_provide(block, value)}"))
    return found


def _config_channel(block: Block, graph: ResourceGraph) -> list[Delivery]:
    recorders = [r for r in graph.of_type(CONFIG_RECORDER) if r.root == block.root]
    role = unwrap(recorders[0].config.get("role_arn")) if len(recorders) == 1 else None
    key = unwrap(block.config.get("s3_kms_key_arn"))
    own = ("s3_kms_key_arn", key) if key not in (None, "") else None
    delivery = Delivery(block, CONFIG, "s3_bucket_name", unwrap(block.config.get("s3_bucket_name")), own_key=own,
                        role=role)
    if len(recorders) > 1:
        delivery.notes.append("several configuration recorders in this root")
    return [delivery]


def _source_name(block: Block, graph: ResourceGraph) -> Any:
    value = unwrap(block.config.get("bucket"))
    sources = graph.resolve(block, "bucket", (BUCKET,), value)
    return sources[0].get("bucket") if len(sources) == 1 else value


_FINDERS = {
    LOGGING: _s3_logging,
    BUCKET: _s3_logging,
    CLOUDTRAIL: _cloudtrail,
    FLOW_LOG: _flow_log,
    INVENTORY_TYPE: _inventory,
    ANALYTICS_TYPE: _analytics,
    WAF_LOGGING: _waf,
    CONFIG_CHANNEL: _config_channel,
    **{kind: _load_balancer for kind in LOAD_BALANCERS},
}


def destination_buckets(delivery: Delivery, graph: ResourceGraph) -> tuple[list[Block], str | None]:
    """The buckets of the scan the delivery writes into, or why none can be named."""
    value, source = delivery.destination, delivery.source
    found = graph.resolve(source, delivery.label, (BUCKET,), value) if isinstance(value, str) else []
    if found:
        return found, None
    if value is None or value == "":
        return [], "it names no destination bucket"
    if not isinstance(value, str):
        return [], f"its destination {describe(value)} is not a bucket name or ARN"
    if is_unresolved(value):
        return [], f"its destination {describe(value)} is {how_to_provide(source, value)}"
    match = _S3_ARN.match(value)
    name = match.group(1) if match else value
    named = graph.named(BUCKET, "bucket", name, source)
    if named:
        return named, None
    return [], f"its destination bucket {name!r} is not created in this scan"

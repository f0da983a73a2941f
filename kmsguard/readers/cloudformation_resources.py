"""Each CloudFormation resource type as the Terraform provider's blocks: the table the template reader uses.

``AWS::S3::Bucket`` becomes an ``aws_s3_bucket`` with its inline encryption
and logging (plus an ``aws_s3_bucket_replication_configuration``), a SAM
function the ``aws_iam_role`` SAM generates for it, and so on;
docs/cloudformation.md has the whole table.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Callable

from kmsguard.model.resources import Block
from kmsguard.model.values import is_unresolved
from kmsguard.readers import sam_policy_templates
from kmsguard.readers.cloudformation_intrinsics import TemplateValues, Unknown, as_dict, short, unknown_value

LAMBDA_BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@dataclass
class Made:
    """A model block made for a template resource, and how its config is filled from the evaluated properties."""

    block: Block
    fill_config: Callable[[TemplateValues, dict], dict]
    primary: bool = True  # the block a Checkov result on the resource judges
    referable_as: str | None = None  # the logical ID a Ref/GetAtt uses to reach it

    def fill(self, reader: TemplateValues, properties: dict) -> None:
        self.block.config = self.fill_config(reader, properties)


# --- translations, CloudFormation property -> provider argument ----------------------------

def _w(value: Any) -> list:
    """Checkov's shape: an attribute's value wrapped in a one-element list."""
    return [value]


def _set(config: dict, attribute: str, properties: dict, name: str, convert: Callable[[Any], Any] | None = None) -> None:
    if name in properties:
        value = properties[name]
        config[attribute] = _w(convert(value) if convert else value)


def _policy_json(value: Any) -> Any:
    """A policy document as the provider takes it: JSON text (a ``${...}`` text when not known)."""
    if isinstance(value, str):
        return value
    text = json.dumps(value)
    return unknown_value(f"policy with values known only at deployment: {text}") if isinstance(value, Unknown) else text


def _bucket(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    bucket = reader.block("aws_s3_bucket", logical_id)

    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "bucket", p, "BucketName")
        if "BucketEncryption" in p:
            config["server_side_encryption_configuration"] = [{"rule": _encryption_rules(p["BucketEncryption"])}]
        if "LoggingConfiguration" in p:
            logging = as_dict(p["LoggingConfiguration"])
            # Without DestinationBucketName, S3 delivers the logs to the bucket itself.
            target = logging.get("DestinationBucketName", "${aws_s3_bucket." + logical_id + ".id}")
            entry = {"target_bucket": _w(target)}
            if "LogFilePrefix" in logging:
                entry["target_prefix"] = _w(logging["LogFilePrefix"])
            config["logging"] = [entry]
        return config

    made = [Made(bucket, fill, referable_as=logical_id)] + _bucket_exports(reader, logical_id, resource)
    replication = as_dict(as_dict(resource.get("Properties")).get("ReplicationConfiguration")) or (
        "ReplicationConfiguration" in as_dict(resource.get("Properties")))
    if replication:
        block = reader.block("aws_s3_bucket_replication_configuration", logical_id, f"{logical_id}.ReplicationConfiguration")
        made.append(Made(block, lambda r, p: _replication(logical_id, p.get("ReplicationConfiguration")), primary=False))
    return made


def _bucket_exports(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    """Inventory reports and Storage Class Analysis exports S3 writes into other buckets, for CKV2_KMSG_3.

    Primary blocks of the bucket's logical ID: a result on the bucket judges them too.
    """
    properties = as_dict(resource.get("Properties"))
    made = []
    for index, _ in enumerate(properties.get("InventoryConfigurations") or []):
        def inventory(reader: TemplateValues, p: dict, i: int = index) -> dict:
            entry = as_dict((p.get("InventoryConfigurations") or [{}])[i])
            destination = as_dict(entry.get("Destination"))
            return {"bucket": _w("${aws_s3_bucket." + logical_id + ".id}"), "name": _w(entry.get("Id")),
                    "enabled": _w(entry.get("Enabled", True)),
                    "destination": [{"bucket": [{"bucket_arn": _w(destination.get("BucketArn"))}]}]}
        block = reader.block("aws_s3_bucket_inventory", logical_id, f"{logical_id}.InventoryConfigurations[{index}]")
        made.append(Made(block, inventory))
    for index, _ in enumerate(properties.get("AnalyticsConfigurations") or []):
        def analytics(reader: TemplateValues, p: dict, i: int = index) -> dict:
            entry = as_dict((p.get("AnalyticsConfigurations") or [{}])[i])
            export = as_dict(as_dict(entry.get("StorageClassAnalysis")).get("DataExport"))
            config: dict[str, Any] = {"bucket": _w("${aws_s3_bucket." + logical_id + ".id}")}
            if export:
                arn = as_dict(export.get("Destination")).get("BucketArn")
                config["storage_class_analysis"] = [{"data_export": [{"destination": [
                    {"s3_bucket_destination": [{"bucket_arn": _w(arn)}]}]}]}]
            return config
        block = reader.block("aws_s3_bucket_analytics_configuration", logical_id,
                             f"{logical_id}.AnalyticsConfigurations[{index}]")
        made.append(Made(block, analytics))
    return made


def _encryption_rules(encryption: Any) -> list[dict]:
    rules = as_dict(encryption).get("ServerSideEncryptionConfiguration")
    if not isinstance(rules, list):
        why = rules if isinstance(rules, Unknown) else unknown_value("BucketEncryption is not known before deployment")
        return [{"apply_server_side_encryption_by_default": [{"sse_algorithm": _w(why)}]}]
    result = []
    for rule in rules:
        rule = as_dict(rule)
        entry: dict[str, Any] = {}
        if "ServerSideEncryptionByDefault" in rule:
            default = as_dict(rule["ServerSideEncryptionByDefault"])
            by_default: dict[str, Any] = {}
            _set(by_default, "sse_algorithm", default, "SSEAlgorithm")
            _set(by_default, "kms_master_key_id", default, "KMSMasterKeyID")
            entry["apply_server_side_encryption_by_default"] = [by_default]
        _set(entry, "bucket_key_enabled", rule, "BucketKeyEnabled")
        result.append(entry)
    return result


def _replication(logical_id: str, replication: Any) -> dict:
    replication = as_dict(replication)
    config: dict[str, Any] = {"bucket": _w("${aws_s3_bucket." + logical_id + ".id}")}
    _set(config, "role", replication, "Role")
    rules = []
    for rule in replication.get("Rules") or []:
        rule = as_dict(rule)
        entry: dict[str, Any] = {}
        _set(entry, "id", rule, "Id")
        _set(entry, "status", rule, "Status")
        destination = as_dict(rule.get("Destination"))
        target: dict[str, Any] = {}
        _set(target, "bucket", destination, "Bucket")
        if "EncryptionConfiguration" in destination:
            encryption: dict[str, Any] = {}
            _set(encryption, "replica_kms_key_id", as_dict(destination["EncryptionConfiguration"]), "ReplicaKmsKeyID")
            target["encryption_configuration"] = [encryption]
        entry["destination"] = [target]
        sse = as_dict(as_dict(rule.get("SourceSelectionCriteria")).get("SseKmsEncryptedObjects"))
        if sse:
            status: dict[str, Any] = {}
            _set(status, "status", sse, "Status")
            entry["source_selection_criteria"] = [{"sse_kms_encrypted_objects": [status]}]
        rules.append(entry)
    config["rule"] = rules
    return config


def _key(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    origin = reader.value(as_dict(resource.get("Properties")).get("Origin"))
    external = origin == "EXTERNAL"

    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "description", p, "Description")
        if not external:
            _set(config, "enable_key_rotation", p, "EnableKeyRotation")
            _set(config, "rotation_period_in_days", p, "RotationPeriodInDays")
            _set(config, "customer_master_key_spec", p, "KeySpec")
        _set(config, "key_usage", p, "KeyUsage")
        _set(config, "deletion_window_in_days", p, "PendingWindowInDays")
        _set(config, "multi_region", p, "MultiRegion")
        _set(config, "is_enabled", p, "Enabled")
        _set(config, "policy", p, "KeyPolicy", _policy_json)
        return config

    model_type = "aws_kms_external_key" if external else "aws_kms_key"
    return [Made(reader.block(model_type, logical_id), fill, referable_as=logical_id)]


def _replica_key(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "primarykey_arn", p, "PrimaryKeyArn")
        _set(config, "description", p, "Description")
        _set(config, "deletion_window_in_days", p, "PendingWindowInDays")
        _set(config, "enabled", p, "Enabled")
        _set(config, "policy", p, "KeyPolicy", _policy_json)
        return config

    return [Made(reader.block("aws_kms_replica_key", logical_id), fill, referable_as=logical_id)]


def _alias(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "AliasName")
        _set(config, "target_key_id", p, "TargetKeyId")
        return config

    return [Made(reader.block("aws_kms_alias", logical_id), fill, referable_as=logical_id)]


def _inline_policies(policies: Any) -> list[dict]:
    if isinstance(policies, Unknown):
        return [{"name": _w("Policies"), "policy": _w(policies)}]
    result = []
    for policy in policies if isinstance(policies, list) else []:
        policy = as_dict(policy)
        result.append({"name": _w(policy.get("PolicyName")), "policy": _w(_policy_json(policy.get("PolicyDocument")))})
    return result


def _role(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "RoleName")
        _set(config, "path", p, "Path")
        _set(config, "assume_role_policy", p, "AssumeRolePolicyDocument", _policy_json)
        if "Policies" in p:
            config["inline_policy"] = _inline_policies(p["Policies"])
        _set(config, "managed_policy_arns", p, "ManagedPolicyArns")
        return config

    return [Made(reader.block("aws_iam_role", logical_id), fill, referable_as=logical_id)]


def _policy(name_property: str) -> Callable[[TemplateValues, str, dict], list[Made]]:
    """AWS::IAM::ManagedPolicy and AWS::IAM::Policy: an ``aws_iam_policy`` attached to its ``Roles``."""

    def translate(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
        def fill(reader: TemplateValues, p: dict) -> dict:
            config: dict[str, Any] = {}
            _set(config, "name", p, name_property)
            _set(config, "path", p, "Path")
            _set(config, "policy", p, "PolicyDocument", _policy_json)
            return config

        def attach(reader: TemplateValues, p: dict) -> dict:
            return {"roles": _w(p.get("Roles")), "policy_arn": _w("${aws_iam_policy." + logical_id + ".arn}")}

        made = [Made(reader.block("aws_iam_policy", logical_id), fill, referable_as=logical_id)]
        if "Roles" in as_dict(resource.get("Properties")):
            made.append(Made(reader.block("aws_iam_policy_attachment", logical_id, f"{logical_id}.Roles"), attach,
                              primary=False))
        return made

    return translate


def _role_policy(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "PolicyName")
        _set(config, "role", p, "RoleName")
        _set(config, "policy", p, "PolicyDocument", _policy_json)
        return config

    return [Made(reader.block("aws_iam_role_policy", logical_id), fill, referable_as=logical_id)]


def _sam_function(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    """The execution role SAM generates (``<Function>Role``) when the function names no ``Role``."""
    properties = as_dict(resource.get("Properties"))
    if "Role" in properties:
        return []  # the function uses that role, judged where it is declared
    role_id = f"{logical_id}Role"

    def fill(reader: TemplateValues, p: dict) -> dict:
        managed: list[Any] = [LAMBDA_BASIC_EXECUTION]
        inline: list[dict] = []
        policies = p.get("Policies")
        items = policies if isinstance(policies, list) else [] if policies is None else [policies]
        for index, item in enumerate(items):
            name = f"{logical_id}RolePolicy{index}"
            if isinstance(item, str):  # a managed policy: AWS managed by name, or an ARN (or a reference to one)
                managed.append(item if item.startswith("arn:") or is_unresolved(item)
                               else f"arn:aws:iam::aws:policy/{item}")
            elif isinstance(item, dict) and "Statement" in item:
                inline.append({"name": _w(name), "policy": _w(_policy_json(item))})
            elif isinstance(item, dict) and len(item) == 1:
                inline.append({"name": _w(name), "policy": _w(_policy_template(reader, *next(iter(item.items()))))})
            else:
                inline.append({"name": _w(name), "policy": _w(unknown_value(f"SAM Policies entry {short(item)}"))})
        config: dict[str, Any] = {
            "assume_role_policy": _w(json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}}]})),
            "managed_policy_arns": _w(managed),
        }
        if inline:
            config["inline_policy"] = inline
        return config

    return [Made(reader.block("aws_iam_role", role_id), fill, referable_as=role_id)]


def _policy_template(reader: TemplateValues, name: str, arguments: Any) -> str:
    """A SAM policy template expanded as SAM expands it, as policy JSON."""
    if name not in sam_policy_templates.NAMES:
        return unknown_value(f"SAM policy template {name}, which kmsguard does not know")
    if name not in sam_policy_templates.DEFINITIONS:
        return json.dumps({"Version": "2012-10-17", "Statement": []})  # grants no S3 object or KMS action
    template = sam_policy_templates.DEFINITIONS[name]
    arguments = arguments if isinstance(arguments, dict) else {}
    missing = [p for p in template.get("Parameters", {}) if p not in arguments]
    if missing:
        return unknown_value(f"SAM policy template {name} without {', '.join(missing)}")
    definition = _substitute_parameters(copy.deepcopy(template["Definition"]), arguments)
    return _policy_json(reader.value(definition))


def _substitute_parameters(node: Any, arguments: dict) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in arguments:
            return arguments[node["Ref"]]
        return {k: _substitute_parameters(v, arguments) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute_parameters(v, arguments) for v in node]
    return node


def _load_balancer(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    """ELBv2: an ``aws_lb`` whose log deliveries (LoadBalancerAttributes) mark log-target buckets for s3.py."""
    def fill(reader: TemplateValues, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "load_balancer_type", p, "Type")
        attributes = p.get("LoadBalancerAttributes")
        pairs = {as_dict(a).get("Key"): as_dict(a).get("Value") for a in attributes} if isinstance(attributes, list) else {}
        for logs in ("access_logs", "connection_logs"):
            if f"{logs}.s3.bucket" in pairs:
                config[logs] = [{"bucket": _w(pairs[f"{logs}.s3.bucket"]),
                                 "enabled": _w(pairs.get(f"{logs}.s3.enabled", "false"))}]
        return config

    return [Made(reader.block("aws_lb", logical_id), fill)]  # judged by CKV2_KMSG_3 (NLB access logs)


def _classic_load_balancer(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
    """Classic ELB: an ``aws_elb`` whose AccessLoggingPolicy marks a log-target bucket for s3.py."""
    def fill(reader: TemplateValues, p: dict) -> dict:
        policy = as_dict(p.get("AccessLoggingPolicy"))
        if "S3BucketName" not in policy:
            return {}
        return {"access_logs": [{"bucket": _w(policy["S3BucketName"]), "enabled": _w(policy.get("Enabled", False))}]}

    return [Made(reader.block("aws_elb", logical_id), fill, primary=False)]


def _simple(model_type: str, arguments: dict[str, str], primary: bool = True):
    """A resource whose properties map one to one onto provider arguments (service deliveries, CKV2_KMSG_3)."""
    def translate(reader: TemplateValues, logical_id: str, resource: dict) -> list[Made]:
        def fill(reader: TemplateValues, p: dict) -> dict:
            config: dict[str, Any] = {}
            for name, attribute in arguments.items():
                _set(config, attribute, p, name)
            return config

        return [Made(reader.block(model_type, logical_id), fill, primary=primary, referable_as=logical_id)]

    return translate


TRANSLATIONS: dict[str, Callable[[TemplateValues, str, dict], list[Made]]] = {
    "AWS::CloudTrail::Trail": _simple("aws_cloudtrail", {
        "TrailName": "name", "S3BucketName": "s3_bucket_name", "KMSKeyId": "kms_key_id", "IsLogging": "enable_logging"}),
    "AWS::EC2::FlowLog": _simple("aws_flow_log", {
        "LogDestinationType": "log_destination_type", "LogDestination": "log_destination"}),
    "AWS::WAFv2::LoggingConfiguration": _simple("aws_wafv2_web_acl_logging_configuration", {
        "ResourceArn": "resource_arn", "LogDestinationConfigs": "log_destination_configs"}),
    "AWS::Config::DeliveryChannel": _simple("aws_config_delivery_channel", {
        "Name": "name", "S3BucketName": "s3_bucket_name", "S3KmsKeyArn": "s3_kms_key_arn"}),
    "AWS::Config::ConfigurationRecorder": _simple("aws_config_configuration_recorder", {
        "Name": "name", "RoleARN": "role_arn"}, primary=False),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancing::LoadBalancer": _classic_load_balancer,
    "AWS::S3::Bucket": _bucket,
    "AWS::KMS::Key": _key,
    "AWS::KMS::ReplicaKey": _replica_key,
    "AWS::KMS::Alias": _alias,
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _policy("ManagedPolicyName"),
    "AWS::IAM::Policy": _policy("PolicyName"),
    "AWS::IAM::RolePolicy": _role_policy,
    "AWS::Serverless::Function": _sam_function,
}

"""What to change in the CDK app, for CDK output, which ``kmsguard fix`` never edits.

A CDK template (``cdk.out/*.template.json``) is generated; an edit there is
lost at the next ``cdk synth``. So the fixer names the construct (from the
resource's ``Metadata`` ``aws:cdk:path``, the logical ID when absent) and the
construct property to set (aws-cdk-lib ``aws_kms.Key``, ``aws_s3.Bucket``).
(A plan is never edited either: ``plan.edits_for`` names the Terraform source to change.)
"""
from __future__ import annotations

import json
import os
from typing import Any, Mapping

# (CloudFormation type, property) -> what to set on the construct (aws-cdk-lib API names, TypeScript spelling).
_CONSTRUCT_PROPERTIES = {
    ("AWS::KMS::Key", "EnableKeyRotation"): ("kms.Key", "enableKeyRotation: true"),
    ("AWS::KMS::Key", "RotationPeriodInDays"): ("kms.Key", "rotationPeriod: Duration.days({value})"),
    ("AWS::KMS::Key", "PendingWindowInDays"): ("kms.Key", "pendingWindow: Duration.days({value})"),
    ("AWS::KMS::Key", "KeyPolicy"): ("kms.Key", "a statement with key.addToResourcePolicy(...)"),
    ("AWS::S3::Bucket", "BucketKeyEnabled"): ("s3.Bucket", "bucketKeyEnabled: true"),
    ("AWS::S3::Bucket", "BucketEncryption"): (
        "s3.Bucket", "encryption: s3.BucketEncryption.KMS and encryptionKey: a kms.Key with enableKeyRotation: true "
        "(plus bucketKeyEnabled: true)"),
    ("AWS::S3::Bucket", "SSEAlgorithm=AES256"): ("s3.Bucket", "encryption: s3.BucketEncryption.S3_MANAGED"),
    ("AWS::IAM::Role", "Policies"): (
        "iam.Role", "the KMS permission with key.grantDecrypt(role) / key.grantEncryptDecrypt(role), or "
        "bucket.grantRead(role) / bucket.grantReadWrite(role), which include the bucket's key"),
    ("AWS::IAM::Policy", "PolicyDocument"): (
        "iam.Policy", "the KMS permission with key.grantDecrypt(role) / key.grantEncryptDecrypt(role)"),
}


def is_cdk_output(path: str, template: Mapping[str, Any] | None = None) -> bool:
    """A template ``cdk synth`` wrote: under ``cdk.out``, or with CDK's path metadata or bootstrap parameter."""
    if "cdk.out" in os.path.normpath(path).split(os.sep):
        return True
    template = template if template is not None else _read(path)
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    if isinstance(resources, Mapping) and any(
            isinstance(r, Mapping) and isinstance(r.get("Metadata"), Mapping) and "aws:cdk:path" in r["Metadata"]
            for r in resources.values()):
        return True
    parameters = template.get("Parameters") if isinstance(template, Mapping) else None
    bootstrap = parameters.get("BootstrapVersion") if isinstance(parameters, Mapping) else None
    return isinstance(bootstrap, Mapping) and str(bootstrap.get("Default", "")).startswith("/cdk-bootstrap/")


def construct_path(resource: Mapping[str, Any] | None, logical_id: str) -> str:
    """The construct a resource comes from (``Stack/Bucket``), from ``aws:cdk:path``; the logical ID without it."""
    metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
    if not isinstance(path, str) or not path:
        return logical_id
    for tail in ("/Resource", "/Default"):  # the L1 resource inside the construct
        if path.endswith(tail):
            return path[: -len(tail)]
    return path


def cdk_advice(resource: Mapping[str, Any] | None, logical_id: str, prop: str, value: Any = None) -> str:
    """What to set in the CDK app for a fix of ``prop`` on the template resource ``logical_id``."""
    kind = resource.get("Type") if isinstance(resource, Mapping) else None
    where = construct_path(resource, logical_id)
    known = _CONSTRUCT_PROPERTIES.get((str(kind), prop))
    if known is None:
        return (f"CDK output is never edited: change the construct {where} (logical ID {logical_id}) in the CDK app "
                f"so that its {prop} is {json.dumps(value)}, then synthesise again")
    construct, setting = known
    return (f"CDK output is never edited: in the CDK app, set {setting.format(value=value)} on the {construct} "
            f"{where} (logical ID {logical_id}), then synthesise again")


def cdk_advice_for(template_path: str, logical_id: str, prop: str, value: Any = None) -> str:
    """``cdk_advice`` for a resource of the template file at ``template_path``."""
    resources = _read(template_path).get("Resources")
    resource = resources.get(logical_id) if isinstance(resources, Mapping) else None
    return cdk_advice(resource, logical_id, prop, value)


def _read(path: str) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

"""Write a synthetic CloudFormation tree of size N: N buckets, N KMS keys (with aliases), N IAM roles.

Usage: python benchmarks/generate_cloudformation.py N OUTDIR [--seed S]

The CloudFormation twin of generate.py: JSON templates of FILE_SIZE items
each, the same kinds of good and bad configurations, references by Ref,
Fn::GetAtt and Fn::Sub as CloudFormation authors (and the CDK) write them.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

FILE_SIZE = 50  # items (bucket + key + role) per template
KEY_MIX = [("good", 80), ("rotation_off", 10), ("short_window", 10)]
BUCKET_MIX = [("cmk", 70), ("aes256", 15), ("aws_managed", 10), ("none", 5)]
ROLE_MIX = [("good", 70), ("no_kms", 20), ("kms_star", 10)]


def _pick(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in mix], weights=[w for _, w in mix])[0]


def _item(rng: random.Random, i: int, n: int) -> dict[str, dict]:
    key, alias, bucket, role = f"Key{i}", f"Alias{i}", f"Bucket{i}", f"Role{i}"
    key_variant, bucket_variant, role_variant = _pick(rng, KEY_MIX), _pick(rng, BUCKET_MIX), _pick(rng, ROLE_MIX)
    resources: dict[str, dict] = {
        key: {"Type": "AWS::KMS::Key", "Properties": {
            "EnableKeyRotation": key_variant != "rotation_off",
            "PendingWindowInDays": 7 if key_variant == "short_window" else 30,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                "Action": "kms:*", "Resource": "*"}]}}},
        alias: {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": f"alias/bench-{n}-{i}", "TargetKeyId": {"Ref": key}}},
    }
    by_default = {"cmk": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]}},
                  "aes256": {"SSEAlgorithm": "AES256"}, "aws_managed": {"SSEAlgorithm": "aws:kms"}}.get(bucket_variant)
    properties: dict = {"BucketName": f"bench-{n}-{i}"}
    if by_default:
        properties["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": by_default, "BucketKeyEnabled": True}]}
    if i % 10 == 5 and i:  # S3 server access logs into the previous bucket (CKV2_KMSG_3); no random draw
        properties["LoggingConfiguration"] = {"DestinationBucketName": {"Ref": f"Bucket{i - 1}"}}
    resources[bucket] = {"Type": "AWS::S3::Bucket", "Properties": properties}
    if i % 10 == 3:  # VPC Flow Logs into the bucket (CKV2_KMSG_3)
        resources[f"FlowLog{i}"] = {"Type": "AWS::EC2::FlowLog", "Properties": {
            "ResourceId": "vpc-0123456789abcdef0", "ResourceType": "VPC", "TrafficType": "REJECT",
            "LogDestinationType": "s3", "LogDestination": {"Fn::GetAtt": [bucket, "Arn"]}}}
    statements: list[dict] = [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                               "Resource": {"Fn::Sub": f"${{{bucket}.Arn}}/*"}}]
    if role_variant == "good":
        statements.append({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                           "Resource": {"Fn::GetAtt": [key, "Arn"]}})
    elif role_variant == "kms_star":
        statements.append({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"})
    resources[role] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "data", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}
    return resources


def generate(n: int, outdir: Path, seed: int = 1) -> dict:
    rng = random.Random(f"cloudformation:{seed}:{n}")
    outdir.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, FILE_SIZE):
        resources: dict[str, dict] = {}
        for i in range(start, min(start + FILE_SIZE, n)):
            resources.update(_item(rng, i, n))
        template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
        (outdir / f"stack_{start // FILE_SIZE:03d}.template.json").write_text(json.dumps(template, indent=1))
    return {"n": n, "templates": (n + FILE_SIZE - 1) // FILE_SIZE, "kind": "cloudformation"}


if __name__ == "__main__":
    from generate import command_line  # this folder is on sys.path when run as a script

    command_line(generate, __doc__.splitlines()[0])

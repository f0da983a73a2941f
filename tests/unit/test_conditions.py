"""The Condition evaluator (kmsguard/rules/conditions.py) against the facts of the IAM and KMS pages it cites."""
import pytest

from kmsguard.readers.cloudformation_intrinsics import PSEUDO
from kmsguard.rules import key_access
from kmsguard.rules.conditions import ACCOUNT, REGION, Request, judge

ROLE = Request("kms:Decrypt", "role", bucket_arn="arn:aws:s3:::data", bucket_key=True,
               principal_arn=f"arn:aws:iam::{ACCOUNT}:role/app", key_aliases=("alias/data",))
NO_BUCKET_KEY = Request("kms:Decrypt", "role", bucket_arn="arn:aws:s3:::data", bucket_key=False)
UNKNOWN_BUCKET_KEY = Request("kms:Decrypt", "role", bucket_arn="arn:aws:s3:::data", bucket_key=None)
SERVICE = Request("kms:GenerateDataKey", "service", service_principal="cloudtrail.amazonaws.com",
                  account="111122223333", source_arn="arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                  encryption_context={"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"})


@pytest.mark.parametrize("condition, holds", [
    # kms:ViaService is s3.<region>.amazonaws.com (KMS developer guide, "kms:ViaService").
    ({"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}, False),
    ({"StringEquals": {"kms:ViaService": ["sns.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"]}}, False),
    ({"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}, True),
    ({"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}, True),
    ({"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, None),  # the region is not known
    ({"StringNotEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, None),
    ({"StringNotLike": {"kms:ViaService": "sns.*"}}, True),
    ({"StringEqualsIgnoreCase": {"kms:ViaService": "S3.*.AMAZONAWS.COM"}}, False),  # no wildcards in Equals
    # kms:CallerAccount / aws:PrincipalAccount: the role's account, unknown unless written as a lookup.
    ({"StringEquals": {"kms:CallerAccount": "111122223333"}}, None),
    ({"StringEquals": {"kms:CallerAccount": ACCOUNT}}, True),
    ({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, True),
    # aws:s3:arn is the bucket ARN with an S3 Bucket Key (S3 user guide, "Encryption context").
    ({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data"}}, True),
    ({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data/*"}}, False),
    ({"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::other"}}, False),
    ({"StringEquals": {"kms:EncryptionContext:project": "x"}}, False),  # absent from S3's context
    ({"StringNotEqualsIfExists": {"kms:EncryptionContext:project": "x"}}, True),
    # kms:EncryptionContextKeys, multivalued (IAM "Multivalued context keys").
    ({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:s3:arn"}}, True),
    ({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "project"}}, False),
    ({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["aws:s3:arn", "project"]}}, True),
    ({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["project"]}}, False),
    # aws:PrincipalArn is the role's ARN; tags and organizations are not known.
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}}, True),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/other-*"}}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}, None),
    ({"StringEquals": {"aws:PrincipalTag/team": "data"}}, None),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, None),
    # Forward access sessions (IAM user guide).
    ({"Bool": {"aws:ViaAWSService": "true"}}, True),
    ({"Bool": {"aws:ViaAWSService": False}}, False),
    ({"ForAnyValue:StringEquals": {"aws:CalledVia": "s3.amazonaws.com"}}, True),
    ({"StringEquals": {"aws:CalledViaFirst": "athena.amazonaws.com"}}, False),
    ({"StringEquals": {"aws:CalledViaLast": "s3.amazonaws.com"}}, True),
    # Network keys carry the original caller's network: never known.
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, None),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, None),
    ({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, None),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:ViaAWSService": "false"}}, False),
    # aws:SourceArn / aws:SourceAccount: only service principals' calls carry them.
    ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::data"}}, False),
    ({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, True),
    ({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}, True),
    ({"Null": {"aws:SourceArn": "true"}}, True),
    ({"Null": {"aws:SourceArn": "false"}}, False),
    # kms:GrantIsForAWSResource exists only on CreateGrant, ListGrants, RevokeGrant.
    ({"Bool": {"kms:GrantIsForAWSResource": True}}, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, False),
    ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ({"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/data"}}, True),
    ({"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/other*"}}, False),
    ({"StringEquals": {"kms:RequestAlias": "alias/data"}}, False),  # S3 decrypts with the key ID
    ({"StringEquals": {"aws:UserAgent": "x"}}, None),  # not evaluated: cannot tell
    # AND of keys: one false key makes the block false, whatever the others.
    ({"StringEquals": {"aws:PrincipalTag/team": "x", "kms:ViaService": "sns.us-east-1.amazonaws.com"}}, False),
    ({}, True),
])
def test_role_request(condition, holds):
    judgement = judge(condition, ROLE)
    assert judgement.holds is holds, judgement.reasons
    assert bool(judgement.reasons) is (holds is not True)


def test_object_arn_without_bucket_key():
    assert judge({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data/*"}}, NO_BUCKET_KEY).holds
    assert judge({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data"}},
                 NO_BUCKET_KEY).holds is False
    assert judge({"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data/reports/*"}},
                 NO_BUCKET_KEY).holds is None  # depends on the object


def test_unknown_bucket_key_setting_is_judged_both_ways():
    either = {"StringLike": {"kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}}
    assert judge(either, UNKNOWN_BUCKET_KEY).holds is True
    only_bucket = {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data"}}
    judgement = judge(only_bucket, UNKNOWN_BUCKET_KEY)
    assert judgement.holds is None and "Bucket Key" in judgement.reasons[0]


@pytest.mark.parametrize("condition, holds", [
    ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}, True),
    ({"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}, True),
    ({"StringEquals": {"aws:SourceAccount": "444455556666"}}, False),
    ({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, None),  # not documented for services
])
def test_service_request(condition, holds):
    assert judge(condition, SERVICE).holds is holds


def test_grant_actions_carry_grant_is_for_aws_resource():
    request = Request("kms:CreateGrant", "role")
    assert judge({"Bool": {"kms:GrantIsForAWSResource": "true"}}, request).holds is True


def test_cloudformation_stand_ins_match_the_reader():
    assert (key_access.CFN_REGION, key_access.CFN_ACCOUNT) == (PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"])

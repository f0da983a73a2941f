"""keys.classify_literal and encrypted_buckets.nameable: which literal names a customer-managed key."""
from __future__ import annotations

import pytest

from kmsguard.rules.encrypted_buckets import AliasKey, UnknownKey, key_label, nameable
from kmsguard.rules.key_classes import KeyClass, KeyKind, classify, classify_literal, parse_kms_arn

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"


@pytest.mark.parametrize("value", [
    "alias/aws/s3", "alias/aws/ebs", "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
    "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/s3",
])
def test_reserved_aws_aliases_are_aws_managed(value):
    assert classify_literal(value).kind is KeyKind.AWS_MANAGED


@pytest.mark.parametrize("value", [
    KEY_ID, MRK, KEY_ARN, f"arn:aws:kms:eu-west-1:111122223333:key/{MRK}",
    f"arn:aws-cn:kms:cn-north-1:111122223333:key/{KEY_ID}",
    "alias/app", "alias/awsome", "alias/aws-data",  # only the alias/aws/ prefix is reserved
    "arn:aws:kms:us-east-1:111122223333:alias/app",
])
def test_key_ids_arns_and_other_aliases_are_customer_managed(value):
    found = classify_literal(value)
    assert found.kind is KeyKind.CUSTOMER_MANAGED
    assert found.literal == value


@pytest.mark.parametrize("value", [
    "mrk-xyz", "mrk-1234", "1234", "aws/s3", "alias/", "alias/ключ",
    "arn:aws:kms:us-east-1:111122223333:key/", "arn:aws:s3:::bucket", "arn:aws:kms:us-east-1:12345:key/abc",
])
def test_anything_else_is_not_a_key(value):
    found = classify_literal(value)
    assert found.kind is KeyKind.UNRESOLVED
    assert found.literal is None and "not a KMS key ID, key ARN or alias" in found.description


def test_a_literal_key_arn_names_itself():
    assert nameable(classify_literal(KEY_ARN)) == [KEY_ARN]
    assert key_label(KEY_ARN) == KEY_ARN


@pytest.mark.parametrize("value", [KEY_ID, MRK])
def test_a_literal_key_id_names_its_key(value):
    # IAM names it by a key ARN with that key ID (KMS developer guide, "Specifying KMS keys in IAM policy statements").
    assert nameable(classify_literal(value)) == [value]


@pytest.mark.parametrize("value,name", [("alias/app", "alias/app"),
                                        ("arn:aws:kms:us-east-1:111122223333:alias/app", "alias/app")])
def test_a_literal_alias_outside_the_scan_is_an_alias_key(value, name):
    (key,) = nameable(classify_literal(value))
    assert isinstance(key, AliasKey) and key.name == name
    assert "alias not created in this scan" in key_label(key)


def test_an_unresolved_key_cannot_be_named():
    (key,) = nameable(KeyClass(KeyKind.UNRESOLVED, "'var.key', which Checkov could not resolve"))
    assert isinstance(key, UnknownKey) and "var.key" in key.description


LOOKUP_ARN = ("arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:"
              "${data.aws_caller_identity.current.account_id}:")


def test_parse_kms_arn_reads_lookup_parts():
    arn = parse_kms_arn(LOOKUP_ARN + "alias/app-data")
    assert arn is not None and arn.kind == "alias" and arn.resource_id == "alias/app-data"
    assert arn.lookups == ("data.aws_partition.current.partition", "data.aws_region.current.name",
                           "data.aws_caller_identity.current.account_id")
    key = parse_kms_arn(f"arn:aws:kms:${{data.aws_region.r.region}}:111122223333:key/{KEY_ID}")
    assert key is not None and key.kind == "key" and key.resource_id == KEY_ID and key.partition == "aws"
    literal = parse_kms_arn(KEY_ARN)
    assert literal is not None and literal.literal


@pytest.mark.parametrize("value", [
    LOOKUP_ARN + "key/abc",  # not a key ID
    LOOKUP_ARN.replace("aws_partition", "aws_vpc") + "alias/app",  # not a partition lookup
    "arn:${var.partition}:kms:us-east-1:111122223333:alias/app",  # a variable, not a lookup
    LOOKUP_ARN + "alias/${var.name}",
])
def test_parse_kms_arn_rejects_other_values(value):
    assert parse_kms_arn(value) is None


def test_lookup_arns_are_classified_by_their_literal_part():
    assert classify(LOOKUP_ARN + "alias/app-data", None, "", None).kind is KeyKind.CUSTOMER_MANAGED
    assert classify(LOOKUP_ARN + "alias/aws/s3", None, "", None).kind is KeyKind.AWS_MANAGED
    assert classify(LOOKUP_ARN + f"key/{MRK}", None, "", None).kind is KeyKind.CUSTOMER_MANAGED

"""The IAM matching helpers of key_access, and the AWS managed policy data."""
from __future__ import annotations

import pytest

from kmsguard.rules import aws_managed_policies
from kmsguard.rules.key_access import names_account
from kmsguard.rules.kms_arns import covers_every_key, role_arn_names


@pytest.mark.parametrize("resource,expected", [
    ("arn:aws:kms:*:*:key/*", True), ("arn:aws:kms:us-east-1:111122223333:key/*", True),
    ("arn:aws:kms:us-east-1:111122223333:*", True), ("arn:aws:km*:*:*:key/*", True),
    ("arn:aws-us-gov:kms:*:*:key/*", True),
    ("arn:aws:kms:*:*:alias/*", False),  # an alias ARN grants alias operations only
    ("arn:aws:kms:*:*:key/1234", False), ("arn:aws:s3:::*", False), ("*", False), ("kms:*", False),
])
def test_covers_every_key(resource, expected):
    assert covers_every_key(resource) is expected


@pytest.mark.parametrize("principal,expected", [
    ("arn:aws:iam::111122223333:root", True), ("111122223333", True), ("arn:aws-cn:iam::111122223333:root", True),
    ("arn:aws:iam::111122223333:role/app", False), ("11112222333", False), ("*", False), (None, False),
])
def test_names_account(principal, expected):
    assert names_account(principal) is expected


@pytest.mark.parametrize("principal,name,expected", [
    ("arn:aws:iam::111122223333:role/app", "app", True),
    ("arn:aws:iam::111122223333:role/service/team/app", "app", True),
    ("arn:aws:iam::111122223333:role/app2", "app", False),
    ("arn:aws:iam::111122223333:role/my-app", "app", False),
    ("arn:aws:iam::111122223333:role/axb", "a.b", False),  # the name is literal, not a pattern
    ("arn:aws:iam::111122223333:user/app", "app", False),
    ("arn:aws:iam::111122223333:role/app", None, False),
])
def test_role_arn_names(principal, name, expected):
    assert role_arn_names(principal, name) is expected


@pytest.mark.parametrize("name", sorted(aws_managed_policies.STATEMENTS))
def test_managed_policy_data_is_well_formed(name):
    for statement in aws_managed_policies.STATEMENTS[name]:
        assert statement["Effect"] in ("Allow", "Deny")
        assert ("Action" in statement) != ("NotAction" in statement), statement
        actions = statement.get("Action", statement.get("NotAction"))
        assert isinstance(actions, list) and actions and all(isinstance(a, str) for a in actions)

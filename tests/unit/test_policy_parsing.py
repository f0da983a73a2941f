"""policy_documents.parse on plain JSON and statement forms, and the IAM wildcard match."""
from __future__ import annotations

import json
from typing import Any, cast

import pytest

from kmsguard.rules.policy_documents import Document, iam_glob, parse

HOLDER: Any = cast(Any, None)  # literal JSON needs no block or graph to resolve references
GRAPH: Any = cast(Any, None)


def _parse(policy: Any) -> Document:
    return parse(policy, HOLDER, "policy", "test", GRAPH)


def _one(statement: dict) -> Any:
    document = _parse(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert not document.problems, document.problems
    (parsed,) = document.statements
    return parsed


def test_actions_are_matched_case_insensitively_with_wildcards():
    statement = _one({"Effect": "Allow", "Action": ["S3:Get*", "kms:Decrypt"], "Resource": "*"})
    assert statement.allow and statement.actions == ("s3:get*", "kms:decrypt")
    assert statement.covers_action("s3:GetObject") and statement.covers_action("KMS:DECRYPT")
    assert not statement.covers_action("s3:PutObject") and not statement.covers_action("kms:Encrypt")


def test_not_action_covers_everything_else():
    statement = _one({"Effect": "Allow", "NotAction": ["iam:*", "kms:*"], "Resource": "*"})
    assert statement.actions is None and statement.not_actions == ("iam:*", "kms:*")
    assert statement.covers_action("s3:GetObject")
    assert not statement.covers_action("kms:Decrypt") and not statement.covers_action("iam:PassRole")
    assert statement.action_patterns("s3")  # NotAction may grant any service


def test_action_patterns_by_service():
    assert _one({"Effect": "Allow", "Action": "*", "Resource": "*"}).action_patterns("s3")
    assert not _one({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}).action_patterns("s3")
    assert not _one({"Effect": "Allow", "Action": "s3-object-lambda:*", "Resource": "*"}).action_patterns("s3")


def test_single_statement_object_resource_and_not_resource():
    document = _parse({"Statement": {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs/*"}})
    (statement,) = document.statements
    assert not statement.allow
    assert statement.resources is None and statement.not_resources == ("arn:aws:s3:::logs/*",)


def test_principals_and_conditions():
    statement = _one({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                      "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    assert statement.principals == ("arn:aws:iam::111122223333:root",) and statement.conditional
    assert _one({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}).principals == ("*",)
    assert _one({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:*",
                 "Resource": "*"}).principals == ()


def test_unrendered_jsonencode_literal_is_read():
    text = "${jsonencode({'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}]})}"
    (statement,) = _parse(text).statements
    assert statement.covers_action("s3:GetObject")


@pytest.mark.parametrize("policy,problem", [
    ('{"Statement": [', "not valid JSON"),
    ("", "empty"),
    ("   ", "empty"),
    ("var.policy", "unresolved"),
    ('["not", "an", "object"]', "could not be read"),
    ({"Statement": ["text"]}, "not a JSON object"),
    ({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}, "is not Allow or Deny"),
    ("${jsonencode({'Statement': [}", "could not be read"),
])
def test_what_cannot_be_read_is_a_problem_never_an_empty_grant(policy, problem):
    document = _parse(policy)
    assert not document.statements
    assert any(problem in p for p in document.problems), document.problems


@pytest.mark.parametrize("value,pattern,expected", [
    ("kms", "kms", True), ("kms", "km?", True), ("kms", "k*", True), ("kms", "KMS", False),
    ("bucket/object", "bucket*", True),  # IAM's * also matches "/"
    ("bucket", "bucket/*", False), ("a[b]", "a[b]", True), ("ab", "a[b]", False),
    ("arn:aws:kms:us-east-1:111122223333:key/k", "arn:aws:kms:*:111122223333:key/*", True),
    ("arn:aws:kms:us-east-1:444455556666:key/k", "arn:aws:kms:*:111122223333:key/*", False),
])
def test_iam_glob(value, pattern, expected):
    assert iam_glob(value, pattern) is expected

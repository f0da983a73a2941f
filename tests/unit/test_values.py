"""Terraform values as Checkov renders them: the stable helpers of kmsguard.model.values."""
from __future__ import annotations

import pytest

from kmsguard.model.values import as_bool, as_int, describe, is_unresolved, unwrap


@pytest.mark.parametrize("value,expected", [
    (10, 10), ("10", 10), (" 7 ", 7), ("-3", -3), (10.0, 10), ([["30"]], 30),
    ("10.0", None), (10.5, None), (True, None), (False, None), ("ten", None), ("", None),
    (None, None), ("var.days", None), ("${var.days}", None), (["1", "2"], None),
])
def test_as_int(value, expected):
    assert as_int(value) == expected
    assert type(as_int(value)) is type(expected)  # never a bool or float passed off as an int


@pytest.mark.parametrize("value,expected", [
    (True, True), (False, False), ("true", True), ("True", True), ("FALSE", False), (["false"], False),
    ("yes", None), (1, None), (0, None), (None, None), ("var.enabled", None), ("", None),
])
def test_as_bool(value, expected):
    assert as_bool(value) is expected


@pytest.mark.parametrize("value", ["var.x", "${var.x}", "local.key", "module.kms.key_arn", "each.value.id",
                                   "aws_kms_key.k.arn", "data.aws_kms_alias.a.target_key_arn", "${path.module}/x"])
def test_expressions_are_unresolved(value):
    assert is_unresolved(value)


@pytest.mark.parametrize("value", ["alias/app", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                   "aws:kms", "AES256", "my-bucket", 5, None, True, {"a": "var.x"}])
def test_values_are_resolved(value):
    assert not is_unresolved(value)


def test_unwrap_takes_single_item_lists_apart_only():
    assert unwrap([[["x"]]]) == "x"
    assert unwrap(["a", "b"]) == ["a", "b"]
    assert unwrap([]) == []
    assert unwrap({"k": ["v"]}) == {"k": ["v"]}


def test_describe_is_short_and_unwrapped():
    assert describe(["var.x"]) == '"var.x"'
    # Spelled as Terraform/JSON spell values, never as Python (None, True, 'x').
    assert [describe(None), describe(True), describe({"a": [1]})] == ["null", "true", '{"a": [1]}']
    long = describe("x" * 500)
    assert len(long) == 120 and long.endswith("...")

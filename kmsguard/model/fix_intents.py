"""Fix intents: what a FAILED verdict says should change, as data the fixer (``kmsguard fix``) turns into edits.

Rules create intents; they never import the fix layer (``kmsguard/fix``),
which reads them after a scan and decides where and how to write them. An
intent names the model instance it is about and the value it wants, in the
model's own terms (Terraform AWS provider argument names; the CloudFormation
reader maps template properties onto the same names), never the text to write.

- ``SetAttribute(block, path, value, reason)``: the argument at ``path`` of
  ``block`` must become ``value``. ``path`` walks the block's config the way
  the model shapes it, nested blocks by index:
  ``("enable_key_rotation",)``, ``("rule", 0, "bucket_key_enabled")``,
  ``("server_side_encryption_configuration", 0, "rule", 1, "bucket_key_enabled")``.
  The fixer writes it where the value is written, nearest first (the literal
  in the block, the module call's argument, a tfvars entry, a variable's
  default), never replacing a variable reference with a literal.
- ``UseCustomerKey(bucket, configuration, key, candidates, reason)``: the
  bucket's default encryption must become ``aws:kms`` with a customer-managed
  key and Bucket Keys on. ``configuration`` is the block holding its rule
  (the bucket itself for the legacy inline block, an
  ``aws_s3_bucket_server_side_encryption_configuration``, or None: add one).
  ``key`` is the key to use (a key Block, or a literal key ARN), None for "a
  new key beside the bucket"; ``candidates`` are the customer keys the rule
  saw (two or more: the fixer refuses and lists them). ``sse_s3`` True asks
  for SSE-S3 (``AES256``) instead: a log target on ``aws/s3``.
- ``AddRoleStatement(role, statement, key, reason)``: add ``statement`` (an
  IAM statement dict as ``remediation_statements.role_statement`` builds it,
  with ``${type.name.attr}`` references or literal ARNs) to ``role``'s
  policies; ``key`` is the key it grants on (a Block, a literal, or None).
- ``AddKeyPolicyStatement(key, statement, reason)``: add ``statement`` to the
  key policy of ``key`` (a key that does not delegate to IAM).
- ``NotFixable(reason)``: the finding is known not to be fixable
  automatically; ``reason`` says why and what a person must do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from kmsguard.model.resources import Block


@dataclass(frozen=True, eq=False)
class SetAttribute:
    block: Block
    path: tuple[Any, ...]
    value: Any
    reason: str = ""


@dataclass(frozen=True, eq=False)
class UseCustomerKey:
    bucket: Block
    configuration: Block | None
    key: Block | str | None  # None: a new key beside the bucket
    candidates: tuple[Block | str, ...] = ()
    reason: str = ""
    sse_s3: bool = False  # a log target on aws/s3: SSE-S3 instead of a customer key


@dataclass(frozen=True, eq=False)
class AddRoleStatement:
    role: Block
    statement: dict = field(hash=False)
    key: Block | str | None = None
    reason: str = ""


@dataclass(frozen=True, eq=False)
class AddKeyPolicyStatement:
    key: Block
    statement: dict = field(hash=False)
    reason: str = ""


@dataclass(frozen=True, eq=False)
class NotFixable:
    reason: str


Intent = Union[SetAttribute, UseCustomerKey, AddRoleStatement, AddKeyPolicyStatement, NotFixable]


def fixable(intents: list[Intent] | tuple[Intent, ...]) -> bool:
    """Whether the intents ask for a change (not only say why none can be made)."""
    return any(not isinstance(intent, NotFixable) for intent in intents)


def subject(intent: Intent) -> Block | None:
    """The instance an intent changes."""
    for name in ("block", "bucket", "role", "key"):
        value = getattr(intent, name, None)
        if isinstance(value, Block):
            return value
    return None

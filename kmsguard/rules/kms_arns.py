"""KMS key ARNs and ARN patterns, as IAM matches them.

An ARN whose partition, region or account comes from a lookup
(``data.aws_caller_identity``, ...) keeps that lookup's text: it stands for
any value of its kind, known only to ``terraform plan``.
"""
from __future__ import annotations

import re
from typing import Any

from kmsguard.model.resources import Block
from kmsguard.rules.policy_documents import iam_glob

# Lookups terraform plan reads, kept as text in ARNs: each matches any value of its kind.
LOOKUPS = {"data.aws_partition": "partition", "data.aws_region": "region", "data.aws_caller_identity": "account"}
LOOKUP_TEXT = re.compile(r"\$\{(data\.(?:aws_partition|aws_region|aws_caller_identity))\.[^}]*\}")
_KIND = {"partition": re.compile(r"^aws[a-z-]*$"), "region": re.compile(r"^[a-z0-9-]+$"),
         "account": re.compile(r"^\d{12}$")}
_KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")


def lookup_kind(block: Block) -> str | None:
    return LOOKUPS.get(f"data.{block.type}") if block.block_type == "data" else None


def arn_parts(text: Any) -> list[str | None] | None:
    """An ARN (or ARN pattern) as its six parts; a lookup's text stands for any value of its kind (None)."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    return [None if LOOKUP_TEXT.fullmatch(p) else p for p in parts]


def key_arn_parts(key: str) -> list[str | None] | None:
    """A literal key ARN's parts; a bare key ID as an ARN whose partition, region and account are unknown."""
    if _KEY_ID.match(key.strip()):
        return [None, None, "kms", None, None, f"key/{key.strip()}"]
    return arn_parts(key)


def parts_match(value: list[str | None] | None, pattern: list[str | None]) -> bool:
    if value is None:
        return False
    kinds = (None, "partition", None, "region", "account", None)
    return all(part_matches(v, p, kinds[i]) for i, (v, p) in enumerate(zip(value, pattern)))


def part_matches(value: str | None, pattern: str | None, kind: str | None) -> bool:
    if value is None:  # unknown here (a lookup, or a key ID's missing parts): any pattern may match it
        return True
    if pattern is None:  # a lookup in the pattern: any value of its kind
        return kind is None or bool(_KIND[kind].match(value))
    return iam_glob(value, pattern)


def every_key(pattern: list[str | None]) -> bool:
    return pattern[5] in ("*", "key/*")


def covers_every_key(resource: str) -> bool:
    """Whether an IAM Resource pattern covers every KMS key ARN (``arn:aws:kms:*:*:key/*``)."""
    parts = arn_parts(resource)
    return parts is not None and parts[2] is not None and iam_glob("kms", parts[2]) and every_key(parts)


def role_arn_names(principal: str, role_name: Any) -> bool:
    """Whether a literal role ARN principal names the role called ``role_name`` (any path)."""
    return isinstance(role_name, str) and bool(
        re.search(r":role/(?:.*/)?" + re.escape(role_name) + r"$", principal))

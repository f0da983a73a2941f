"""Terraform values as Checkov renders them: literals, references, and what is left unresolved.

Checkov resolves what it can before checks run. What it cannot resolve stays
a string: ``var.x``, ``${local.y}``, ``aws_kms_key.k.arn`` (references keep
the referenced block's own name, even across modules), or an expression.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

# The CloudFormation reader's stand-ins for ${AWS::AccountId} and ${AWS::Region}: one stack, one of each,
# so ARNs stay well formed and the rules read a template's own account and region as these values.
CLOUDFORMATION_ACCOUNT_ID = "123456789012"
CLOUDFORMATION_REGION = "us-east-1"

# Files Terraform reads as configuration; everything else a scan meets is a template or a plan.
TERRAFORM_FILES = (".tf", ".tf.json")
TERRAFORM_SOURCES = TERRAFORM_FILES + (".tfvars", ".tfvars.json")  # what a Terraform root is read from

# type.name[index].attribute, optionally data.-prefixed, possibly inside ${...}
_REFERENCE = re.compile(
    r"""(?P<data>data\.)?(?P<type>[a-z][a-z0-9]*_[a-z0-9_]+)\.(?P<name>[A-Za-z_][\w-]*)
        (?P<index>\[[^\]]*\]|\.\d+)?\.(?P<attr>[a-z_]+)""",  # ".0." is the legacy spelling of "[0]"
    re.VERBOSE,
)
# What the plan reader writes for a plan value unknown until apply; unresolved, like any ${...}.
UNKNOWN_POLICY = "${policy known only after apply: it embeds ARNs not created yet; run the HCL scan for CKV2_KMSG_2}"
UNKNOWN_VALUE = "${known only after apply, from an expression the plan does not show}"
UNKNOWN_AFTER_APPLY = (UNKNOWN_POLICY, UNKNOWN_VALUE)
_EXPRESSION_MARKERS = ("var.", "local.", "module.", "each.", "count.", "${", "path.", "terraform.")


@dataclass(frozen=True)
class Reference:
    type: str  # aws_kms_key, or data.aws_kms_alias
    name: str
    index: str | None
    attribute: str

    def names(self, block: Any) -> bool:
        """Whether this reference points at ``block`` (a graph Block)."""
        block_type = ("data." + block.type) if block.block_type == "data" else block.type
        if block_type != self.type or block.base_name != self.name:
            return False
        index = self.literal_index
        return index is None or block.name == self.name + index

    @property
    def literal_index(self) -> str | None:
        """The count/for_each index when it is a literal, as block names spell it (``[0]``, ``["a"]``)."""
        match = self.index and re.fullmatch(r'\["?(\d+)"?\]|\[("[^"]*")\]|\.(\d+)', self.index)
        if not match:
            return None
        number = match.group(1) if match.group(1) is not None else match.group(3)
        return f"[{number}]" if number is not None else f"[{match.group(2)}]"


def unwrap(value: Any) -> Any:
    """Checkov wraps HCL attribute values in one-element lists."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def references_in(value: Any) -> list[Reference]:
    """Every resource or data-source reference in a rendered string."""
    return [ref for ref, _ in reference_spans(value)]


def reference_spans(value: Any) -> list[tuple[Reference, int]]:
    """Each reference with the position just after it (what follows, e.g. ``/*``, matters)."""
    if not isinstance(value, str):
        return []
    return list(_spans(value))


@functools.lru_cache(maxsize=65536)
def _spans(value: str) -> tuple[tuple[Reference, int], ...]:
    # Policies and ARNs are read by several rules: scan each distinct string once.
    return tuple(
        (
            Reference(
                type=("data." if m.group("data") else "") + m.group("type"),
                name=m.group("name"),
                index=m.group("index"),
                attribute=m.group("attr"),
            ),
            m.end(),
        )
        for m in _REFERENCE.finditer(value)
    )


def is_unresolved(value: Any) -> bool:
    """True when Checkov left a Terraform expression instead of a value."""
    if isinstance(value, str):
        return bool(references_in(value)) or any(marker in value for marker in _EXPRESSION_MARKERS)
    return False


def as_bool(value: Any) -> bool | None:
    """A Terraform bool (``true``, ``"true"``), or None when it is not one."""
    value = unwrap(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    """A Terraform whole number (``10``, ``"10"``, ``10.0``), or None when it is not one."""
    value = unwrap(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def describe(value: Any) -> str:
    """A short, printable form of a value for result details, spelled as in Terraform/JSON (never Python's)."""
    value = unwrap(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)  # "x", null, true, {"a": 1}
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def framework_of(block: Any) -> str:
    """``terraform``, ``terraform_plan`` or ``cloudformation``: which reader made a model block."""
    path = str(getattr(block, "file_path", ""))
    if path.endswith(TERRAFORM_FILES):
        return "terraform"
    return "cloudformation" if isinstance(getattr(block, "key", None), tuple) else "terraform_plan"


def unknown_reasons(block: Any, value: Any) -> list[str]:
    """The reasons in ``block.unknown`` that concern the ``${...}`` parts of ``value``."""
    inner = [part.strip() for part in re.findall(r"\$\{([^}]*)\}", value if isinstance(value, str) else "")]
    names = [part for part in inner if part]
    return [reason for reason in getattr(block, "unknown", ()) if any(name in reason for name in names)]


def how_to_provide(block: Any, value: Any) -> str:
    """Why ``value`` (an attribute of ``block``) is unknown and how to give it a value, in the words of its framework."""
    reasons = unknown_reasons(block, value)
    why = f" ({'; '.join(reasons)})" if reasons else ""
    if value in UNKNOWN_AFTER_APPLY:
        return "known only after apply"
    kind = framework_of(block)
    if kind == "cloudformation":
        if any("has no default" in r for r in reasons):
            return (f"not known before deployment{why}: give kmsguard the deployment's parameter values "
                    "(kmsguard --cfn-parameters TEMPLATE=FILE, KMSGUARD_CFN_PARAMETERS, or samconfig.toml "
                    "parameter_overrides)")
        return f"not known before deployment{why}: write the value in the template"
    if kind == "terraform_plan":
        return f"not known in the plan{why}"
    if any("has no value" in r for r in reasons):
        return (f"not known before apply{why}: give the variable a value in a tfvars file "
                "(terraform.tfvars, *.auto.tfvars) or pass --var-file")
    if any("known only after apply" in r for r in reasons):
        return f"known only after apply{why}"
    return f"not known before apply{why}: give its variables a value (a tfvars file or --var-file)"


# The CloudFormation property (path) each provider argument name is read from (readers/cloudformation_resources.py),
# so details on a template resource use the template's own words.
CLOUDFORMATION_NAMES = {
    "enable_key_rotation": "EnableKeyRotation",
    "rotation_period_in_days": "RotationPeriodInDays",
    "deletion_window_in_days": "PendingWindowInDays",
    "customer_master_key_spec": "KeySpec",
    "server_side_encryption_configuration": "BucketEncryption.ServerSideEncryptionConfiguration",
    "rule": "ServerSideEncryptionConfiguration",
    "apply_server_side_encryption_by_default": "ServerSideEncryptionByDefault",
    "sse_algorithm": "SSEAlgorithm",
    "kms_master_key_id": "KMSMasterKeyID",
    "bucket_key_enabled": "BucketKeyEnabled",
    "inline_policy": "Policies",
    "managed_policy_arns": "ManagedPolicyArns",
    "target_bucket": "LoggingConfiguration.DestinationBucketName",
}


def attribute_name(block: Any, terraform_name: str) -> str:
    """How ``block``'s own source names a provider argument: ``EnableKeyRotation`` on a template resource."""
    if block is not None and framework_of(block) == "cloudformation":
        return CLOUDFORMATION_NAMES.get(terraform_name, terraform_name)
    return terraform_name


def attribute_setting(block: Any, terraform_name: str, value: Any) -> str:
    """A setting in ``block``'s own syntax: ``bucket_key_enabled = true`` in HCL, ``BucketKeyEnabled: true`` in a template."""
    name = attribute_name(block, terraform_name)
    if name != terraform_name:
        return f"{name}: {json.dumps(value) if isinstance(value, bool) else value}"
    return f"{name} = {json.dumps(value)}"


def as_list(value: Any) -> list:
    """An argument that may be one value or a list of them, as a list (None: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

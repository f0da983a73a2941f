"""A bucket moved to a customer-managed key in Terraform (``UseCustomerKey``): CKV_KMSG_1 and CKV2_KMSG_1.

The rule goes where the bucket's encryption is written: a legacy inline
``server_side_encryption_configuration`` block is edited in place, a separate
``aws_s3_bucket_server_side_encryption_configuration`` likewise; a bucket with
neither gets one, right after it, in the AWS provider's current style. The
rule becomes ``aws:kms`` with the key and ``bucket_key_enabled = true``; a log
target becomes ``AES256`` (its ``kms_master_key_id`` removed). A new key is
added beside the bucket with rotation on, a 30-day deletion window and an
alias named after the bucket. Only literal (or absent) values are changed: a
value written through a variable is left to a person, since the key is a
reference no variable default can hold.
"""
from __future__ import annotations

import os
import re

from kmsguard.fix import terraform_edits, terraform_sites
from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_text import Nested
from kmsguard.fix.terraform_sites import Edit, Locator
from kmsguard.model.fix_intents import UseCustomerKey
from kmsguard.model.resources import Block, module_prefix

CONFIG = "aws_s3_bucket_server_side_encryption_configuration"
_LITERAL = re.compile(r'^(?:true|false|null|"[^"$%]*")$')
_DEFAULT = ("rule", 0, "apply_server_side_encryption_by_default", 0)


def edits(intent: UseCustomerKey) -> list[Edit]:
    bucket = intent.bucket
    if bucket.source is None:
        raise EditRefused(f"kmsguard does not know where {bucket.address} is written")
    file = bucket.source[0]
    if terraform_sites.downloaded(file):
        raise EditRefused(f"{bucket.address} is in a downloaded module ({file}), which kmsguard never edits: "
                          "set its encryption through the module's inputs, or fork it")
    text = terraform_sites.read(file)
    locator: Locator = ("resource", bucket.type, bucket.base_name)
    node = terraform_sites.locate(text, locator)
    meta, index = _instances(text, node)
    key_ref, key_edits = _key(intent, file, locator, meta, index)
    found: list[Edit] = []
    configuration = intent.configuration
    if configuration is None:
        if key_ref is None:
            raise EditRefused(f"{bucket.address} has no encryption configuration to change")
        found.append(_new_configuration(file, locator, bucket, meta, index, key_ref))
    elif configuration is bucket:
        found.append(_in_place(file, locator, ("server_side_encryption_configuration", 0) + _DEFAULT, key_ref,
                               bucket.address))
    else:
        if configuration.source is None or terraform_sites.downloaded(configuration.source[0]):
            raise EditRefused(f"{configuration.address} cannot be edited here")
        found.append(_in_place(configuration.source[0], ("resource", CONFIG, configuration.base_name), _DEFAULT,
                               key_ref, configuration.address))
    return found + key_edits  # applied last, so the new key sits right after the bucket, before its configuration


def _key(intent: UseCustomerKey, file: str, locator: Locator, meta: str, index: str) -> tuple[str | None, list[Edit]]:
    """How the rule names its key (None: SSE-S3), and the new key's edit when it needs one."""
    bucket = intent.bucket
    if intent.sse_s3:
        return None, []
    if isinstance(intent.key, Block):
        if module_prefix(intent.key.address) != module_prefix(bucket.address):
            raise EditRefused(f"{intent.key.address} is in another module than {bucket.address}: name it by hand")
        return f"{intent.key.type}.{intent.key.name}.arn", []
    if intent.key is None:
        return f"aws_kms_key.{bucket.base_name}{index}.arn", [_new_key(file, locator, bucket, meta, index)]
    raise EditRefused(f"kmsguard fix does not write the key {intent.key!r}")


def _instances(text: str, node: Nested) -> tuple[str, str]:
    """(the bucket's count/for_each line to copy, the instance index new references use)."""
    for name, index in (("count", "[count.index]"), ("for_each", "[each.key]")):
        found = terraform_edits.attribute(node, name)
        if found is not None:
            return f"{name} = {found.value(text)}\n", index
    return "", ""


def _new_key(file: str, locator: Locator, bucket: Block, meta: str, index: str) -> Edit:
    label = bucket.base_name
    name = bucket.get("bucket")
    if not index and isinstance(name, str) and re.fullmatch(r"[a-z0-9.-]+", name):
        alias = json_string("alias/" + name.replace(".", "-"))  # alias names take no dots
    else:
        alias = f'"alias/${{replace({bucket.type}.{label}{index}.bucket, ".", "-")}}"'
    body = terraform_edits.object_lines(
        ["description", "enable_key_rotation", "deletion_window_in_days"],
        [json_string(f"Default encryption of the S3 bucket {bucket.type}.{label}"), "true", "30"], "  ")
    alias_body = terraform_edits.object_lines(["name", "target_key_id"],
                                              [alias, f"aws_kms_key.{label}{index}.key_id"], "  ")
    lead = f"  {meta}\n" if meta else ""
    block = (f'resource "aws_kms_key" "{label}" {{\n{lead}{body}}}\n\n'
             f'resource "aws_kms_alias" "{label}" {{\n{lead}{alias_body}}}')

    def apply(text: str, node: Nested) -> str:
        for kind in ("aws_kms_key", "aws_kms_alias"):
            if re.search(rf'^resource\s+"{kind}"\s+"{re.escape(label)}"', text, re.M):
                raise EditRefused(f"{kind}.{label} already exists: choose the key by hand")
        return terraform_edits.add_after(text, node, block)

    key = (os.path.realpath(file), locator, "new key")
    return Edit(file, locator, key, key, apply, f"new aws_kms_key.{label} and alias")


def _new_configuration(file: str, locator: Locator, bucket: Block, meta: str, index: str, key_ref: str) -> Edit:
    label = bucket.base_name
    lead = f"  {meta}\n" if meta else ""
    default = terraform_edits.object_lines(["sse_algorithm", "kms_master_key_id"], ['"aws:kms"', key_ref], "      ")
    block = (f'resource "{CONFIG}" "{label}" {{\n{lead}  bucket = {bucket.type}.{label}{index}.id\n\n'
             f"  rule {{\n    apply_server_side_encryption_by_default {{\n{default}    }}\n"
             "    bucket_key_enabled = true\n  }\n}")

    def apply(text: str, node: Nested) -> str:
        if re.search(rf'^resource\s+"{CONFIG}"\s+"{re.escape(label)}"', text, re.M):
            raise EditRefused(f"{CONFIG}.{label} already exists for another bucket: add the rule by hand")
        return terraform_edits.add_after(text, node, block)

    key = (os.path.realpath(file), locator, "new configuration", key_ref)
    return Edit(file, locator, key, (os.path.realpath(file), locator, "new configuration"), apply,
                f"new {CONFIG}.{label}")


def _in_place(file: str, locator: Locator, default_path: tuple, key_ref: str | None, what: str) -> Edit:
    """sse_algorithm, kms_master_key_id and bucket_key_enabled set in an existing rule (literals only)."""
    def apply(text: str, node: Nested) -> str:
        default = terraform_edits.find_nested(text, node, default_path)
        _literal_or_absent(text, default, ("sse_algorithm", "kms_master_key_id"), what)
        if key_ref is None:
            text = terraform_edits.set_argument(text, default, "sse_algorithm", '"AES256"')
            default = terraform_edits.find_nested(text, terraform_sites.locate(text, locator), default_path)
            return remove_argument(text, default, "kms_master_key_id")
        text = terraform_edits.set_argument(text, default, "sse_algorithm", '"aws:kms"')
        default = terraform_edits.find_nested(text, terraform_sites.locate(text, locator), default_path)
        text = terraform_edits.set_argument(text, default, "kms_master_key_id", key_ref)
        rule = terraform_edits.find_nested(text, terraform_sites.locate(text, locator), default_path[:-2])
        _literal_or_absent(text, rule, ("bucket_key_enabled",), what)
        return terraform_edits.set_argument(text, rule, "bucket_key_enabled", "true")

    key = (os.path.realpath(file), locator, "encryption rule", key_ref)
    return Edit(file, locator, key, (os.path.realpath(file), locator, "encryption rule"), apply,
                f"{what}: {'AES256' if key_ref is None else 'aws:kms with ' + key_ref}")


def _literal_or_absent(text: str, block: Nested, names: tuple, what: str) -> None:
    for name in names:
        found = terraform_edits.attribute(block, name)
        if found is not None and not _LITERAL.match(found.value(text)):
            raise EditRefused(f"{what}: {name} is written as {found.value(text)}, not a literal: "
                              "change it where that value comes from")


def remove_argument(text: str, block: Nested, name: str) -> str:
    """Delete the line of argument ``name`` in ``block`` (and re-align its neighbours)."""
    found = terraform_edits.attribute(block, name)
    if found is None:
        return text
    start = text.rfind("\n", 0, found.start) + 1
    end = text.find("\n", found.value_end)
    end = len(text) if end < 0 else end + 1
    if text[start:found.start].strip() or text[found.value_end:end].strip():
        raise EditRefused(f"{name} shares its line with other text: remove it by hand")
    new = text[:start] + text[end:]
    return terraform_edits.realign_around(new, max(start - 1, 0), start)


def json_string(value: str) -> str:
    return terraform_edits.render(value)

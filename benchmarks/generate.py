"""Write a synthetic Terraform tree of size N: N buckets, N KMS keys, N IAM roles.

Usage: python benchmarks/generate.py N OUTDIR [--seed S]

Deterministic for a given (N, seed). About a fifth of each kind lives in a
module called four times (so references cross module inputs), the rest is
spread over root files of FILE_SIZE items each. The mix of good and bad
configurations is roughly what a real estate looks like: mostly compliant,
with every failure mode of the pack present. Every tenth item also sends VPC
Flow Logs into its bucket and every twentieth a CloudTrail trail (CKV2_KMSG_3).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Callable

FILE_SIZE = 50  # items (bucket + key + role) per root file
MODULE_CALLS = 4
MODULE_SHARE = 20  # each module call holds N // MODULE_SHARE items

KEY_MIX = [("good", 70), ("rotation_off", 10), ("long_period", 10), ("rotation_unset", 5), ("short_window_var", 5)]
BUCKET_MIX = [("cmk", 55), ("dsse_alias", 5), ("aes256", 10), ("aws_managed", 10), ("inline_cmk", 10),
              ("none", 5), ("log_target", 5)]
ROLE_MIX = [("good", 60), ("no_kms", 15), ("kms_star", 10), ("policy_document", 10), ("wrong_key", 5)]


def pick(rng: random.Random, mix) -> str:
    return rng.choices([name for name, _ in mix], weights=[w for _, w in mix])[0]


def key_tf(name: str, variant: str) -> str:
    body = {
        "good": "enable_key_rotation = true\n  rotation_period_in_days = 365\n  deletion_window_in_days = 30",
        "rotation_off": "enable_key_rotation = false\n  deletion_window_in_days = 30",
        "long_period": "enable_key_rotation = true\n  rotation_period_in_days = 730",
        "rotation_unset": "deletion_window_in_days = 10",
        "short_window_var": "enable_key_rotation = true\n  deletion_window_in_days = var.window_days",
    }[variant]
    return f'resource "aws_kms_key" "{name}" {{\n  description = "{name}"\n  {body}\n}}\n\n' \
           f'resource "aws_kms_alias" "{name}" {{\n  name          = "alias/{name}"\n' \
           f'  target_key_id = aws_kms_key.{name}.key_id\n}}\n\n'


def bucket_tf(name: str, bucket_name: str, key_ref: str, alias_ref: str, variant: str, log_source: str | None) -> str:
    out = [f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{bucket_name}"\n']
    if variant == "inline_cmk":
        out.append("  server_side_encryption_configuration {\n    rule {\n"
                   "      apply_server_side_encryption_by_default {\n"
                   f'        sse_algorithm     = "aws:kms"\n        kms_master_key_id = {key_ref}\n'
                   "      }\n    }\n  }\n")
    out.append("}\n\n")
    rule = {
        "cmk": f'sse_algorithm = "aws:kms"\n      kms_master_key_id = {key_ref}',
        "dsse_alias": f'sse_algorithm = "aws:kms:dsse"\n      kms_master_key_id = {alias_ref}',
        "aes256": 'sse_algorithm = "AES256"',
        "aws_managed": 'sse_algorithm = "aws:kms"',
        "log_target": 'sse_algorithm = "AES256"',
    }.get(variant)
    if rule:
        bucket_key = "\n    bucket_key_enabled = true" if variant == "cmk" else ""
        out.append(f'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{\n'
                   f"  bucket = aws_s3_bucket.{name}.id\n  rule {{\n"
                   f"    apply_server_side_encryption_by_default {{\n      {rule}\n    }}{bucket_key}\n  }}\n}}\n\n")
    if variant == "log_target" and log_source:
        out.append(f'resource "aws_s3_bucket_logging" "{name}" {{\n  bucket        = aws_s3_bucket.{log_source}.id\n'
                   f'  target_bucket = aws_s3_bucket.{name}.id\n  target_prefix = "log/"\n}}\n\n')
    return "".join(out)


def role_tf(name: str, bucket: str, key_arn: str, variant: str) -> str:
    assume = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]})
    out = [f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  assume_role_policy = {json.dumps(assume)}\n}}\n\n']
    s3 = (f'{{\n        Effect   = "Allow"\n        Action   = ["s3:GetObject", "s3:PutObject"]\n'
          f'        Resource = "${{aws_s3_bucket.{bucket}.arn}}/*"\n      }}')
    kms_resource = {"good": key_arn, "kms_star": '"*"', "wrong_key": key_arn}.get(variant)
    if variant == "policy_document":
        out.append(f'data "aws_iam_policy_document" "{name}" {{\n'
                   f'  statement {{\n    actions   = ["s3:GetObject"]\n'
                   f'    resources = ["${{aws_s3_bucket.{bucket}.arn}}/*"]\n  }}\n'
                   f'  statement {{\n    actions   = ["kms:Decrypt"]\n    resources = [{key_arn}]\n  }}\n}}\n\n'
                   f'resource "aws_iam_policy" "{name}" {{\n  name   = "{name}"\n'
                   f"  policy = data.aws_iam_policy_document.{name}.json\n}}\n\n"
                   f'resource "aws_iam_role_policy_attachment" "{name}" {{\n  role       = aws_iam_role.{name}.name\n'
                   f"  policy_arn = aws_iam_policy.{name}.arn\n}}\n\n")
        return "".join(out)
    statements = [s3]
    if kms_resource:
        statements.append(f'{{\n        Effect   = "Allow"\n        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]\n'
                          f"        Resource = {kms_resource}\n      }}")
    out.append(f'resource "aws_iam_role_policy" "{name}" {{\n  name = "{name}"\n  role = aws_iam_role.{name}.id\n'
               f'  policy = jsonencode({{\n    Version   = "2012-10-17"\n    Statement = [\n      '
               + ",\n      ".join(statements) + "\n    ]\n  })\n}\n\n")
    return "".join(out)


def deliveries_tf(i: int, bucket: str, key_ref: str, bucket_variant: str) -> str:
    """Service deliveries (CKV2_KMSG_3) on a fixed share of the items; no random draw, so the rest of the tree is as before."""
    out = []
    if i % 10 == 3:  # VPC Flow Logs into the bucket: its key policy must allow delivery.logs.amazonaws.com
        out.append(f'resource "aws_flow_log" "{bucket}" {{\n  vpc_id               = "vpc-0123456789abcdef0"\n'
                   f'  traffic_type         = "REJECT"\n  log_destination_type = "s3"\n'
                   f'  log_destination      = aws_s3_bucket.{bucket}.arn\n}}\n\n')
    if i % 20 == 7 and bucket_variant == "cmk":  # a trail with its own key (the bucket's)
        out.append(f'resource "aws_cloudtrail" "{bucket}" {{\n  name           = "{bucket}"\n'
                   f'  s3_bucket_name = aws_s3_bucket.{bucket}.id\n  kms_key_id     = {key_ref}\n}}\n\n')
    return "".join(out)


def items(rng: random.Random, count: int, prefix: str, bucket_prefix: str, in_module: bool) -> list[str]:
    """Terraform text of ``count`` (key, bucket, role) items, one string each."""
    blocks = []
    for i in range(count):
        key, bucket, role = f"{prefix}k{i}", f"{prefix}b{i}", f"{prefix}r{i}"
        bucket_variant, role_variant = pick(rng, BUCKET_MIX), pick(rng, ROLE_MIX)
        key_ref = "var.shared_key_arn" if in_module and i % 5 == 0 else f"aws_kms_key.{key}.arn"
        other = f"{prefix}k{(i + 1) % count}"
        role_key = f"aws_kms_key.{other if role_variant == 'wrong_key' and count > 1 else key}.arn"
        text = key_tf(key, pick(rng, KEY_MIX))
        text += bucket_tf(bucket, f"{bucket_prefix}-{i}", key_ref, f"aws_kms_alias.{key}.arn", bucket_variant,
                          f"{prefix}b{i - 1}" if i else None)
        text += role_tf(role, bucket, role_key, role_variant)
        text += deliveries_tf(i, bucket, key_ref, bucket_variant)
        blocks.append(text)
    return blocks


def generate(n: int, outdir: Path, seed: int = 1) -> dict:
    rng = random.Random(f"{seed}:{n}")
    outdir.mkdir(parents=True, exist_ok=True)
    per_module = n // MODULE_SHARE
    root_count = n - MODULE_CALLS * per_module
    module_dir = outdir / "modules" / "tenant"
    module_dir.mkdir(parents=True, exist_ok=True)
    (module_dir / "variables.tf").write_text(
        'variable "prefix" {\n  type = string\n}\n\nvariable "shared_key_arn" {\n  type = string\n}\n\n'
        'variable "window_days" {\n  type    = number\n  default = 14\n}\n')
    module_items = items(rng, per_module, "m", "${var.prefix}", True) if per_module else []
    for start in range(0, len(module_items), FILE_SIZE):
        (module_dir / f"items_{start // FILE_SIZE:03d}.tf").write_text("".join(module_items[start:start + FILE_SIZE]))
    if not module_items:
        (module_dir / "main.tf").write_text("")
    root = ['variable "window_days" {\n  type = number\n}\n\n',  # no default: unresolved on purpose
            'resource "aws_kms_key" "shared" {\n  enable_key_rotation = true\n}\n\n']
    for call in range(MODULE_CALLS):
        root.append(f'module "tenant_{call}" {{\n  source         = "./modules/tenant"\n'
                    f'  prefix         = "bench-{n}-t{call}"\n  shared_key_arn = aws_kms_key.shared.arn\n}}\n\n')
    (outdir / "main.tf").write_text("".join(root))
    root_items = items(rng, root_count, "", f"bench-{n}-root", False)
    for start in range(0, len(root_items), FILE_SIZE):
        (outdir / f"items_{start // FILE_SIZE:03d}.tf").write_text("".join(root_items[start:start + FILE_SIZE]))
    return {"n": n, "root_items": root_count, "module_items": per_module, "module_calls": MODULE_CALLS}


def command_line(make: Callable[[int, Path, int], dict], description: str) -> None:
    """``SCRIPT N OUTDIR [--seed S]``: write the tree, print what it holds (shared by both generators)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("n", type=int)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(make(args.n, args.outdir, args.seed)))


if __name__ == "__main__":
    command_line(generate, __doc__.splitlines()[0])

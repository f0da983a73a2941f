"""Hostile and broken Terraform: every outcome is clear, nothing is lost, nothing raises.

Each case is written into tmp_path and scanned by the real Checkov Runner.
Across all of them: no pack check may raise (Checkov would log "Failed to run
check" and drop the result) or hit its own internal-error fallback, and input
the pack cannot resolve is FAILED with details or not reported, never PASSED.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner

from checkov_run import CUSTOM_CHECKS, ensure_loaded, one_report, registered_ids
from kmsguard.settings import ALL as SETTINGS

KEY = """
resource "aws_kms_key" "k" {
  enable_key_rotation     = true
  deletion_window_in_days = 30
}
"""
BUCKET = """
resource "aws_s3_bucket" "b" {
  bucket = "hostile-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
    bucket_key_enabled = true
  }
}
"""
ROLE = """
resource "aws_iam_role" "r" {
  name               = "reader"
  assume_role_policy = "{}"
}
"""
S3_READ = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::hostile-data/*"]}
KMS_ANY_KEY = {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["arn:aws:kms:*:*:key/*"]}


class Scan:
    def __init__(self, records, parsing_errors, log_text):
        self.records = records
        self.parsing_errors = parsing_errors
        self.log_text = log_text

    def results(self, check_id: str) -> dict[str, str]:
        return {r.resource: r.check_result["result"].name for r in self.records if r.check_id == check_id}

    def result(self, check_id: str, resource: str) -> str | None:
        return self.results(check_id).get(resource)

    def details(self, check_id: str, resource: str) -> str:
        return " | ".join(d for r in self.records if (r.check_id, r.resource) == (check_id, resource) for d in r.details or ())


def assert_not_passed(found: Scan, check_id: str, resource: str, case: str = "") -> None:
    result = found.result(check_id, resource)
    assert result in ("FAILED", None), (case, check_id, resource, found.details(check_id, resource))
    if result == "FAILED":
        assert found.details(check_id, resource), (case, check_id, resource, "FAILED without details")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def scan(tmp_path, caplog, monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)

    def run(files: dict[str, str], checks: list[str] | None = None) -> Scan:
        ensure_loaded()
        checks = checks or sorted(registered_ids())
        root = write(tmp_path / "tree", files)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            report = one_report(Runner().run(root_folder=str(root),
                                             runner_filter=RunnerFilter(framework=["terraform"], checks=checks)))
        records = report.passed_checks + report.failed_checks + report.skipped_checks
        result = Scan(records, list(report.parsing_errors), caplog.text)
        assert "internal error" not in caplog.text, caplog.text
        assert "Failed to run check" not in caplog.text, caplog.text
        return result

    return run


def role_policy(policy_hcl: str, name: str = "p", role: str = "r") -> str:
    return f"""
resource "aws_iam_role_policy" "{name}" {{
  role   = aws_iam_role.{role}.id
  policy = {policy_hcl}
}}
"""


def json_heredoc(document) -> str:
    return "<<EOF\n" + json.dumps(document, indent=1) + "\nEOF"


def statements(*items) -> str:
    return json_heredoc({"Version": "2012-10-17", "Statement": list(items)})


# --- a malformed file beside good ones ------------------------------------------------

def test_malformed_file_is_reported_and_good_files_are_complete(scan):
    found = scan({
        "keys.tf": KEY,
        "buckets.tf": BUCKET,
        "roles.tf": ROLE + role_policy("""jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" },
      { Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.k.arn },
    ]
  })"""),
        "weak.tf": """
resource "aws_s3_bucket" "weak" {
  bucket = "hostile-weak"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "weak" {
  bucket = aws_s3_bucket.weak.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
""",
        "broken.tf": 'resource "aws_s3_bucket" "broken" {\n  bucket = "x"\n  rule {\n    oops = = \n',
    })
    assert any(path.endswith("broken.tf") for path in found.parsing_errors), found.parsing_errors
    assert found.results("CKV_KMSG_1") == {
        "aws_s3_bucket_server_side_encryption_configuration.b": "PASSED",
        "aws_s3_bucket_server_side_encryption_configuration.weak": "FAILED",
    }
    assert found.results("CKV2_KMSG_1") == {"aws_s3_bucket.b": "PASSED", "aws_s3_bucket.weak": "FAILED"}
    assert found.results("CKV_KMSG_2") == {"aws_kms_key.k": "PASSED"}
    assert found.results("CKV_KMSG_3") == {"aws_kms_key.k": "PASSED"}
    assert found.results("CKV_KMSG_4") == {"aws_s3_bucket_server_side_encryption_configuration.b": "PASSED"}
    assert found.results("CKV2_KMSG_2") == {"aws_iam_role.r": "PASSED"}
    assert not any("broken" in r.resource for r in found.records)


# --- IAM policies in every odd shape ---------------------------------------------------

POLICY_CASES = {
    # name: (policy HCL, expected CKV2_KMSG_2 result, text the details must contain)
    "invalid_json": ('"{\\"Statement\\": [ {\\"Effect\\": "', "FAILED", "not valid JSON"),
    "empty_string": ('""', "FAILED", "empty"),
    "empty_object": ("jsonencode({})", "PASSED", ""),  # grants nothing, so the role uses no bucket
    "statement_not_a_list": (json_heredoc({"Statement": S3_READ}), "FAILED", "kms:Decrypt"),
    "single_strings": (json_heredoc({"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::hostile-data/*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}), "PASSED", ""),
    "unknown_keys": (json_heredoc({"Version": "2012-10-17", "Flavour": "odd", "Statement": [
        dict(S3_READ, Colour="blue"), dict(KMS_ANY_KEY, Extra={"a": [1, 2]})]}), "PASSED", ""),
    "not_action_everything_but_iam": (statements(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), "PASSED", ""),
    "not_action_everything_but_kms": (statements(
        {"Effect": "Allow", "NotAction": ["kms:*"], "Resource": "*"}), "FAILED", "kms:Decrypt"),
    "not_resource_other_bucket": (statements(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::other/*"}), "FAILED", "kms:Decrypt"),
    "not_resource_this_bucket": (statements(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::hostile-data/*"}), "PASSED", ""),
    "unconditional_deny_kms": (statements(S3_READ, KMS_ANY_KEY,
                                          {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}), "FAILED", "kms:Decrypt"),
    "bad_effect": (statements(S3_READ, dict(KMS_ANY_KEY, Effect="Permit")), "FAILED", "Permit"),
    "statement_not_an_object": (statements(S3_READ, "kms:Decrypt"), "FAILED", "not a JSON object"),
    "unresolved_variable": ("var.policy_json", "FAILED", "could not be read"),
    "action_is_a_number": (statements(S3_READ, dict(KMS_ANY_KEY, Action=42)), "FAILED", "kms:Decrypt"),
}


@pytest.mark.parametrize("case", sorted(POLICY_CASES))
def test_identity_policy_shapes(scan, case):
    policy, expected, detail = POLICY_CASES[case]
    found = scan({"main.tf": KEY + BUCKET + ROLE + role_policy(policy) + 'variable "policy_json" {}\n'},
                 checks=["CKV2_KMSG_2"])
    assert found.result("CKV2_KMSG_2", "aws_iam_role.r") == expected, found.details("CKV2_KMSG_2", "aws_iam_role.r")
    assert detail in found.details("CKV2_KMSG_2", "aws_iam_role.r")


@pytest.mark.parametrize("condition", [{"Bool": {"aws:SecureTransport": "false"}}, {"StringEquals": {"aws:x": ["a", "b"]}}])
def test_conditions_never_raise_and_are_reported(scan, condition):
    conditional_deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": condition}
    conditional_kms = dict(KMS_ANY_KEY, Condition=condition)
    found = scan({"main.tf": KEY + BUCKET + ROLE + role_policy(statements(S3_READ, conditional_kms, conditional_deny))},
                 checks=["CKV2_KMSG_2"])
    assert found.result("CKV2_KMSG_2", "aws_iam_role.r") in ("PASSED", "FAILED")


# 300 statements is about 40,000 characters: four times what IAM accepts in a role's inline
# policy (10,240), so no real policy is larger. (The evaluator's time grows with the square of it.)
HUGE = 300


def test_huge_policy(scan):
    noise = [{"Effect": "Allow", "Action": [f"ec2:Describe{i}", f"s3:GetObject{i}"],
              "Resource": [f"arn:aws:s3:::noise-{i}/*", f"arn:aws:ec2:*:*:instance/i-{i}"]} for i in range(HUGE)]
    good = statements(*noise, S3_READ, KMS_ANY_KEY)
    bad = statements(*noise, S3_READ)
    found = scan({"main.tf": KEY + BUCKET + ROLE + ROLE.replace('"r"', '"q"').replace("reader", "other")
                  + role_policy(good) + role_policy(bad, name="pq", role="q")}, checks=["CKV2_KMSG_2"])
    assert found.results("CKV2_KMSG_2") == {"aws_iam_role.r": "PASSED", "aws_iam_role.q": "FAILED"}
    assert "kms:Decrypt" in found.details("CKV2_KMSG_2", "aws_iam_role.q")


def test_huge_jsonencode_policy(scan):
    # The same through jsonencode, which Checkov renders to a dict (and reference strings).
    noise = "".join(f'      {{ Effect = "Allow", Action = ["ec2:Describe{i}"], '
                    f'Resource = ["arn:aws:ec2:*:*:instance/i-{i}"] }},\n' for i in range(HUGE))
    policy = ("jsonencode({\n    Statement = [\n" + noise
              + '      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" },\n'
              + '      { Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.k.arn }\n    ]\n  })')
    found = scan({"main.tf": KEY + BUCKET + ROLE + role_policy(policy)}, checks=["CKV2_KMSG_2"])
    assert found.result("CKV2_KMSG_2", "aws_iam_role.r") == "PASSED", found.details("CKV2_KMSG_2", "aws_iam_role.r")


def test_policy_documents_that_include_each_other(scan):
    files = {"main.tf": KEY + BUCKET + ROLE + """
data "aws_iam_policy_document" "a" {
  source_policy_documents = [data.aws_iam_policy_document.b.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::hostile-data/*"]
  }
}

data "aws_iam_policy_document" "b" {
  source_policy_documents = [data.aws_iam_policy_document.a.json]
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}
""" + role_policy("data.aws_iam_policy_document.a.json")}
    found = scan(files, checks=["CKV2_KMSG_2"])
    # Terraform rejects the cycle; what the role holds is unknowable, so no PASS.
    assert_not_passed(found, "CKV2_KMSG_2", "aws_iam_role.r")


KEY_POLICY_CASES = {
    # principal of a key-policy statement granting kms:Decrypt: (principal, expected)
    "aws_map_role_reference": ('{ AWS = aws_iam_role.r.arn }', "PASSED"),
    "aws_map_list": ('{ AWS = ["arn:aws:iam::111122223333:role/someone", aws_iam_role.r.arn] }', "PASSED"),
    "star": ('"*"', "PASSED"),
    "service_map": ('{ Service = "logging.s3.amazonaws.com" }', "FAILED"),
    "other_role": ('{ AWS = "arn:aws:iam::111122223333:role/someone-else" }', "FAILED"),
}


@pytest.mark.parametrize("case", sorted(KEY_POLICY_CASES))
def test_key_policy_principal_maps(scan, case):
    principal, expected = KEY_POLICY_CASES[case]
    key = f"""
resource "aws_kms_key" "k" {{
  enable_key_rotation = true
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {principal}, Action = "kms:Decrypt", Resource = "*" }}]
  }})
}}
"""
    found = scan({"main.tf": key + BUCKET + ROLE + role_policy(statements(S3_READ))}, checks=["CKV2_KMSG_2"])
    assert found.result("CKV2_KMSG_2", "aws_iam_role.r") == expected, found.details("CKV2_KMSG_2", "aws_iam_role.r")


# --- references, dynamic blocks, variables, locals ---------------------------------------

def encryption(key_expression: str, algorithm: str = '"aws:kms"', name: str = "b") -> str:
    return f"""
resource "aws_s3_bucket" "{name}" {{
  bucket = "hostile-{name}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{
  bucket = aws_s3_bucket.{name}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = {algorithm}
      kms_master_key_id = {key_expression}
    }}
    bucket_key_enabled = true
  }}
}}
"""


NOT_PASSED_KEYS = {
    # kms_master_key_id expressions the pack cannot resolve to a customer-managed key
    "missing_data_source": "data.aws_kms_key.does_not_exist.arn",
    "unresolved_variable": "var.key_arn",
    "circular_locals": "local.a",
    "unknown_module_output": "module.nowhere.key_arn",
    "function_of_unresolved": 'format("%s", var.key_arn)',
    # References to key resources that are not in the scan (a typo, or the file that
    # defines them failed to parse): the key cannot be resolved, so no PASS.
    "missing_key_resource": "aws_kms_key.does_not_exist.arn",
    "missing_alias_resource": "aws_kms_alias.does_not_exist.arn",
}


@pytest.mark.parametrize("case", sorted(NOT_PASSED_KEYS))
def test_unresolvable_key_is_never_passed(scan, case):
    files = {"main.tf": encryption(NOT_PASSED_KEYS[case]) + 'variable "key_arn" {}\n'
             + "locals {\n  a = local.b\n  b = local.a\n}\n"}
    found = scan(files, checks=["CKV_KMSG_1", "CKV2_KMSG_1"])
    assert_not_passed(found, "CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.b", case)
    assert_not_passed(found, "CKV2_KMSG_1", "aws_s3_bucket.b", case)


UNRESOLVED_ATTRIBUTES = [
    # (Terraform, check, resource) where one argument is an unresolved variable
    (encryption('"alias/mine"', algorithm="var.alg"), "CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.b"),
    (encryption('"alias/mine"', algorithm="var.alg"), "CKV2_KMSG_1", "aws_s3_bucket.b"),
    (encryption('"alias/mine"').replace("bucket_key_enabled = true", "bucket_key_enabled = var.x"), "CKV_KMSG_4",
     "aws_s3_bucket_server_side_encryption_configuration.b"),
    ('resource "aws_kms_key" "k" {\n  enable_key_rotation = var.x\n}\n', "CKV_KMSG_2", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n  rotation_period_in_days = var.x\n}\n',
     "CKV_KMSG_2", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  customer_master_key_spec = var.x\n}\n', "CKV_KMSG_2", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  deletion_window_in_days = var.x\n}\n', "CKV_KMSG_3", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  deletion_window_in_days = local.a\n}\n', "CKV_KMSG_3", "aws_kms_key.k"),
]


@pytest.mark.parametrize("terraform,check_id,resource", UNRESOLVED_ATTRIBUTES,
                         ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(UNRESOLVED_ATTRIBUTES)])
def test_unresolved_values_fail_with_details(scan, terraform, check_id, resource):
    files = {"main.tf": terraform + 'variable "alg" {}\nvariable "x" {}\nlocals {\n  a = local.b\n  b = local.a\n}\n'}
    found = scan(files, checks=[check_id])
    assert found.result(check_id, resource) == "FAILED", found.details(check_id, resource)
    assert found.details(check_id, resource)


CONFIG = "aws_s3_bucket_server_side_encryption_configuration.b"
ODD_VALUES = [
    # (Terraform, check, resource): values of the wrong type or shape, all FAILED with details
    (encryption("123"), "CKV_KMSG_1", CONFIG),
    (encryption('["alias/a", "alias/b"]'), "CKV_KMSG_1", CONFIG),
    (encryption("{ id = \"alias/a\" }"), "CKV2_KMSG_1", "aws_s3_bucket.b"),
    (encryption('"alias/mine"', algorithm="null"), "CKV_KMSG_1", CONFIG),
    (encryption('"alias/mine"', algorithm='"AWS:KMS"'), "CKV_KMSG_1", CONFIG),
    (encryption('"alias/mine"').replace("bucket_key_enabled = true", 'bucket_key_enabled = "maybe"'), "CKV_KMSG_4", CONFIG),
    ('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\nresource "aws_s3_bucket_server_side_encryption_configuration" "b" {\n'
     '  bucket = aws_s3_bucket.b.id\n  rule {}\n}\n', "CKV2_KMSG_1", "aws_s3_bucket.b"),
    ('resource "aws_s3_bucket_server_side_encryption_configuration" "b" {\n  bucket = "x"\n  rule {\n'
     '    apply_server_side_encryption_by_default = { sse_algorithm = "aws:kms" }\n  }\n}\n', "CKV_KMSG_1", CONFIG),
    ('resource "aws_kms_key" "k" {\n  enable_key_rotation = "yes"\n}\n', "CKV_KMSG_2", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n  rotation_period_in_days = 90.5\n}\n',
     "CKV_KMSG_2", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  deletion_window_in_days = "7 days"\n}\n', "CKV_KMSG_3", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  deletion_window_in_days = 5\n}\n', "CKV_KMSG_3", "aws_kms_key.k"),
    ('resource "aws_kms_key" "k" {\n  deletion_window_in_days = -30\n}\n', "CKV_KMSG_3", "aws_kms_key.k"),
]


@pytest.mark.parametrize("terraform,check_id,resource", ODD_VALUES,
                         ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(ODD_VALUES)])
def test_odd_values_fail_with_details(scan, terraform, check_id, resource):
    found = scan({"main.tf": terraform}, checks=[check_id])
    assert found.result(check_id, resource) == "FAILED", found.details(check_id, resource)
    assert found.details(check_id, resource)


def dynamic_config(name: str, for_each: str, content: str) -> str:
    return f"""
resource "aws_s3_bucket" "{name}" {{
  bucket = "hostile-{name}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{
  bucket = aws_s3_bucket.{name}.id
  dynamic "rule" {{
    for_each = {for_each}
    content {{
{content}
    }}
  }}
}}
"""


def test_dynamic_rule_blocks(scan):
    cmk = """      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value
        kms_master_key_id = aws_kms_key.k.arn
      }
      bucket_key_enabled = true"""
    from_var = """      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value.algorithm
        kms_master_key_id = rule.value.key
      }"""
    files = {"main.tf": KEY + 'variable "rules" {}\n'
             + dynamic_config("good", '["aws:kms"]', cmk)
             + dynamic_config("weak", '["AES256"]', cmk.replace("kms_master_key_id = aws_kms_key.k.arn", ""))
             + dynamic_config("unresolved", "var.rules", from_var)}
    found = scan(files, checks=["CKV_KMSG_1", "CKV2_KMSG_1", "CKV_KMSG_4"])
    config = "aws_s3_bucket_server_side_encryption_configuration."
    # Correct Terraform, but Checkov may leave rule.value unrendered: reported either way, never lost.
    assert found.result("CKV_KMSG_1", config + "good") in ("PASSED", "FAILED")
    assert found.result("CKV2_KMSG_1", "aws_s3_bucket.good") in ("PASSED", "FAILED")
    for name in ("weak", "unresolved"):
        assert_not_passed(found, "CKV_KMSG_1", config + name)
        assert_not_passed(found, "CKV2_KMSG_1", "aws_s3_bucket." + name)
        assert_not_passed(found, "CKV_KMSG_4", config + name)


@pytest.mark.parametrize("key_expression", ["var.key_arn", '"alias/some-team-key"'])
def test_role_using_bucket_whose_key_cannot_be_named_is_not_passed(scan, key_expression):
    # The bucket is SSE-KMS with some customer-managed key the scan cannot name, and the
    # role reads its objects with no KMS grant at all: whether it may decrypt is unknown.
    read = dict(S3_READ, Resource=["arn:aws:s3:::hostile-b/*"])
    files = {"main.tf": encryption(key_expression) + ROLE + role_policy(statements(read)) + 'variable "key_arn" {}\n'}
    found = scan(files, checks=["CKV2_KMSG_2"])
    assert_not_passed(found, "CKV2_KMSG_2", "aws_iam_role.r")


def test_missing_references_in_iam(scan):
    files = {"main.tf": KEY + BUCKET + ROLE + """
resource "aws_iam_role_policy_attachment" "ghost_policy" {
  role       = aws_iam_role.r.name
  policy_arn = aws_iam_policy.does_not_exist.arn
}

resource "aws_iam_role_policy" "ghost_role" {
  role   = aws_iam_role.does_not_exist.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
"""}
    found = scan(files, checks=["CKV2_KMSG_2"])
    # The role's only attached policy is not in the scan: what it grants is unknown.
    assert found.result("CKV2_KMSG_2", "aws_iam_role.r") == "FAILED"
    assert "not in this scan" in found.details("CKV2_KMSG_2", "aws_iam_role.r")


LONG_KEY = "k" + "x" * 250


def unicode_tree(bucket_resource: str, alias: str) -> str:
    return f"""
resource "aws_kms_key" "{LONG_KEY}" {{
  description             = "clé de chiffrement 🔐 {"é" * 2000}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}}

resource "aws_s3_bucket" "{bucket_resource}" {{
  bucket = "hostile-{"b" * 500}"
  tags   = {{ "propriétaire" = "équipe-数据" }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{bucket_resource}" {{
  bucket = aws_s3_bucket.{bucket_resource}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.{LONG_KEY}.arn
    }}
    bucket_key_enabled = true
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_alias" {{
  bucket = aws_s3_bucket.{bucket_resource}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "{alias}"
    }}
  }}
}}
"""


def test_unicode_text_and_very_long_names(scan):
    files = {"ünïcødé-文件.tf": unicode_tree("data", "alias/" + "a" * 250)}
    found = scan(files, checks=["CKV_KMSG_1", "CKV_KMSG_2", "CKV_KMSG_3", "CKV2_KMSG_1"])
    assert not found.parsing_errors
    assert found.results("CKV_KMSG_2") == {f"aws_kms_key.{LONG_KEY}": "PASSED"}
    assert found.results("CKV_KMSG_3") == {f"aws_kms_key.{LONG_KEY}": "PASSED"}
    assert found.results("CKV_KMSG_1") == {"aws_s3_bucket_server_side_encryption_configuration.data": "PASSED",
                                           "aws_s3_bucket_server_side_encryption_configuration.by_alias": "PASSED"}
    assert found.results("CKV2_KMSG_1") == {"aws_s3_bucket.data": "PASSED"}


def test_unicode_identifiers_are_a_parse_error_not_a_clean_scan(scan):
    # Terraform allows Unicode letters in names; Checkov's HCL parser does not.
    found = scan({"unicode.tf": unicode_tree("données", "alias/x"), "keys.tf": KEY},
                 checks=["CKV_KMSG_2", "CKV_KMSG_3"])
    assert any(path.endswith("unicode.tf") for path in found.parsing_errors), found.parsing_errors
    assert found.results("CKV_KMSG_2") == {"aws_kms_key.k": "PASSED"}


def test_alias_with_non_ascii_characters_is_not_a_key(scan):
    # KMS alias names allow only ASCII letters, digits, "/", "_" and "-" (CreateAlias).
    found = scan({"main.tf": KEY + unicode_tree("data", "alias/" + "ü" * 30)}, checks=["CKV_KMSG_1"])
    assert found.result("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.by_alias") == "FAILED"


# --- settings ----------------------------------------------------------------------------

BAD_SETTINGS = [
    ("KMSGUARD_MIN_DELETION_WINDOW_DAYS", "abc", "CKV_KMSG_3"),
    ("KMSGUARD_MIN_DELETION_WINDOW_DAYS", "6", "CKV_KMSG_3"),
    ("KMSGUARD_MIN_DELETION_WINDOW_DAYS", "31", "CKV_KMSG_3"),
    ("KMSGUARD_MIN_DELETION_WINDOW_DAYS", "7.5", "CKV_KMSG_3"),
    ("KMSGUARD_MAX_ROTATION_PERIOD_DAYS", "89", "CKV_KMSG_2"),
    ("KMSGUARD_MAX_ROTATION_PERIOD_DAYS", "2561", "CKV_KMSG_2"),
    ("KMSGUARD_MAX_ROTATION_PERIOD_DAYS", "one year", "CKV_KMSG_2"),
]


@pytest.mark.parametrize("variable,value,check_id", BAD_SETTINGS)
def test_bad_setting_fails_naming_the_variable(scan, monkeypatch, variable, value, check_id):
    monkeypatch.setenv(variable, value)
    found = scan({"main.tf": KEY}, checks=[check_id])
    assert found.result(check_id, "aws_kms_key.k") == "FAILED"
    assert variable in found.details(check_id, "aws_kms_key.k")


@pytest.mark.e2e
def test_bad_setting_under_plain_checkov_command(tmp_path):
    write(tmp_path, {"main.tf": KEY})
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", KMSGUARD_MIN_DELETION_WINDOW_DAYS="week",
               KMSGUARD_MAX_ROTATION_PERIOD_DAYS="10")
    checkov = str(Path(sys.executable).with_name("checkov"))
    done = subprocess.run([checkov, "-d", str(tmp_path), "--external-checks-dir", str(CUSTOM_CHECKS),
                           "--check", "CKV_KMSG_2,CKV_KMSG_3", "-o", "json"],
                          capture_output=True, text=True, env=env, timeout=300)
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = {r["check_id"]: " ".join(r.get("details") or []) for r in report["results"]["failed_checks"]}
    assert not report["results"]["passed_checks"]
    assert "KMSGUARD_MIN_DELETION_WINDOW_DAYS" in failed["CKV_KMSG_3"]
    assert "KMSGUARD_MAX_ROTATION_PERIOD_DAYS" in failed["CKV_KMSG_2"]
    assert done.returncode == 1
    assert "Failed to run check" not in done.stderr

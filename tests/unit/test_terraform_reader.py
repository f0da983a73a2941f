"""The HCL reader: what the model holds for the shapes registry modules are made of."""
from pathlib import Path

from kmsguard.readers import terraform

MODULE = '''
variable "create" { default = true }
variable "window" { default = null }
variable "name" { type = string }
variable "sse" {
  type    = any
  default = {}
}
resource "aws_kms_key" "this" {
  count                   = var.create ? 1 : 0
  deletion_window_in_days = var.window
}
resource "aws_s3_bucket" "this" {
  count  = var.create ? 1 : 0
  bucket = var.name
}
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = var.create && length(keys(var.sse)) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  dynamic "rule" {
    for_each = try(flatten([var.sse["rule"]]), [])
    content {
      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value.sse_algorithm
        kms_master_key_id = try(rule.value.kms_master_key_id, null)
      }
    }
  }
}
output "key_arn" { value = try(aws_kms_key.this[0].arn, null) }
output "id" { value = try(aws_s3_bucket.this[0].id, "") }
'''

ROOT = '''
variable "unset" { type = string }
module "key" {
  source = "./modules/m"
  name   = "keys-only"
}
module "data" {
  source = "./modules/m"
  name   = "data-bucket"
  window = 7
  sse    = { rule = { sse_algorithm = "aws:kms", kms_master_key_id = module.key.key_arn } }
}
module "off" {
  source = "./modules/m"
  create = false
  name   = "never"
}
resource "aws_s3_bucket_logging" "l" {
  bucket        = module.data.id
  target_bucket = var.unset
}
'''


def _load(tmp_path: Path) -> dict:
    (tmp_path / "modules" / "m").mkdir(parents=True)
    (tmp_path / "modules" / "m" / "main.tf").write_text(MODULE)
    (tmp_path / "main.tf").write_text(ROOT)
    return {b.address: b for b in terraform.load(str(tmp_path)).blocks}


def test_count_zero_instances_are_not_in_the_model(tmp_path):
    blocks = _load(tmp_path)
    assert not [a for a in blocks if a.startswith("module.off.")]
    assert "module.key.aws_s3_bucket_server_side_encryption_configuration.this[0]" not in blocks  # sse = {}


def test_null_means_unset_and_each_call_has_its_own_inputs(tmp_path):
    blocks = _load(tmp_path)
    assert "deletion_window_in_days" not in blocks["module.key.aws_kms_key.this[0]"].config
    assert blocks["module.data.aws_kms_key.this[0]"].get("deletion_window_in_days") == 7
    assert blocks["module.data.aws_s3_bucket.this[0]"].get("bucket") == "data-bucket"


def test_dynamic_rules_are_expanded_and_references_cross_modules(tmp_path):
    config = _load(tmp_path)["module.data.aws_s3_bucket_server_side_encryption_configuration.this[0]"]
    default = config.config["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == ["aws:kms"]
    assert default["kms_master_key_id"] == ["${aws_kms_key.this[0].arn}"]
    targets = {label: t.address for label, t in config.out}
    assert targets["rule.apply_server_side_encryption_by_default.kms_master_key_id"] == "module.key.aws_kms_key.this[0]"
    assert targets["bucket"] == "module.data.aws_s3_bucket.this[0]"


def test_a_variable_without_value_stays_unknown_and_says_so(tmp_path):
    logging = _load(tmp_path)["aws_s3_bucket_logging.l"]
    assert logging.get("target_bucket") == "${var.unset}"
    assert "var.unset has no value" in logging.unknown
    # module.data.id is the module's output "id", not the module call itself
    assert logging.get("bucket") == "${aws_s3_bucket.this[0].id}"

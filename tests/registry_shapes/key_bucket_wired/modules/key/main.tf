# Shaped like cloudposse/terraform-aws-kms-key: count on the module's enabled
# flag, the alias targets join("", ...) of the key splat.
locals {
  enabled = coalesce(var.enabled, true)
}

resource "aws_kms_key" "default" {
  count = local.enabled ? 1 : 0

  deletion_window_in_days  = var.deletion_window_in_days
  enable_key_rotation      = var.enable_key_rotation
  rotation_period_in_days  = var.rotation_period_in_days
  policy                   = var.policy
  description              = var.description
  key_usage                = var.key_usage
  customer_master_key_spec = var.customer_master_key_spec
  custom_key_store_id      = var.custom_key_store_id
  multi_region             = var.multi_region
}

resource "aws_kms_alias" "default" {
  count = local.enabled ? 1 : 0

  name          = coalesce(var.alias, format("alias/%v", var.name))
  target_key_id = join("", aws_kms_key.default[*].id)
}

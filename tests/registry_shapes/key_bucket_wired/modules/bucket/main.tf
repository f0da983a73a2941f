# Shaped like cloudposse/terraform-aws-s3-bucket: every resource counts on the
# module's enabled flag, encryption is one static rule fed by sse_algorithm /
# kms_master_key_arn inputs, and the bucket is referenced as join("", splat).
locals {
  enabled   = coalesce(var.enabled, true)
  bucket_id = join("", aws_s3_bucket.default[*].id)
}

resource "aws_s3_bucket" "default" {
  count = local.enabled ? 1 : 0

  bucket        = var.bucket_name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_server_side_encryption_configuration" "default" {
  count = local.enabled ? 1 : 0

  bucket                = local.bucket_id
  expected_bucket_owner = var.expected_bucket_owner

  rule {
    bucket_key_enabled = var.bucket_key_enabled

    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.kms_master_key_arn
    }
  }
}

resource "aws_s3_bucket_logging" "default" {
  count = local.enabled && var.logging != null ? 1 : 0

  bucket        = local.bucket_id
  target_bucket = var.logging["bucket_name"]
  target_prefix = var.logging["prefix"]
}

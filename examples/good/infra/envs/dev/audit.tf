# Audit exports use dual-layer encryption (DSSE-KMS) with their own key.
# S3 Bucket Keys do not apply to DSSE-KMS, so bucket_key_enabled is left out.

resource "aws_kms_key" "audit" {
  description             = "acme dev: audit exports (DSSE-KMS)"
  enable_key_rotation     = true
  rotation_period_in_days = 90
  deletion_window_in_days = 14
}

resource "aws_kms_alias" "audit" {
  name          = "alias/acme-dev-audit"
  target_key_id = aws_kms_key.audit.key_id
}

resource "aws_s3_bucket" "audit" {
  bucket = "acme-dev-audit"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit" {
  bucket = aws_s3_bucket.audit.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms:dsse"
      kms_master_key_id = aws_kms_key.audit.arn
    }
  }
}

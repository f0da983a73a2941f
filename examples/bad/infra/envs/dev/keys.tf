# Customer-managed keys that S3 uses correctly, but whose own settings are wrong.

# Rotation off.
resource "aws_kms_key" "payments" {
  description             = "acme dev: payment exports"
  enable_key_rotation     = false
  deletion_window_in_days = 30
}

resource "aws_s3_bucket" "payments" {
  bucket = "acme-dev-payments"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payments" {
  bucket = aws_s3_bucket.payments.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.payments.arn
    }
    bucket_key_enabled = true
  }
}

# Rotation on, but every two years: longer than the default maximum of 365 days.
resource "aws_kms_key" "archive" {
  description             = "acme dev: archive"
  enable_key_rotation     = true
  rotation_period_in_days = 730
  deletion_window_in_days = 14
}

resource "aws_kms_alias" "archive" {
  name          = "alias/acme-dev-archive"
  target_key_id = aws_kms_key.archive.key_id
}

resource "aws_s3_bucket" "archive" {
  bucket = "acme-dev-archive"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "archive" {
  bucket = aws_s3_bucket.archive.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.archive.name
    }
    bucket_key_enabled = true
  }
}

# Buckets whose default encryption is not SSE-KMS with a customer-managed key.

# No encryption configuration at all: S3 applies SSE-S3 with an Amazon-owned key.
resource "aws_s3_bucket" "scratch" {
  count = 2

  bucket = "acme-dev-scratch-${count.index}"
}

# SSE-S3 (AES256).
resource "aws_s3_bucket" "exports" {
  bucket = "acme-dev-exports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# aws:kms with no key: S3 uses the AWS-managed key aws/s3.
resource "aws_s3_bucket" "uploads" {
  bucket = "acme-dev-uploads"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

# The AWS-managed key named explicitly.
resource "aws_s3_bucket" "backups" {
  bucket = "acme-dev-backups"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/aws/s3"
    }
    bucket_key_enabled = true
  }
}

# The AWS-managed key, looked up through a data source.
data "aws_kms_alias" "s3_default" {
  name = "alias/aws/s3"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-dev-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = data.aws_kms_alias.s3_default.target_key_arn
    }
    bucket_key_enabled = true
  }
}

# A key from a variable with no default: cannot be shown to be customer-managed.
resource "aws_s3_bucket" "shared" {
  bucket = "acme-dev-shared"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.shared_kms_key_arn
    }
    bucket_key_enabled = true
  }
}

# Legacy inline encryption block (deprecated in AWS provider v4+), SSE-S3.
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-dev-legacy-exports"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

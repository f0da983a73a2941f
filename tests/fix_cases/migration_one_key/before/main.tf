resource "aws_kms_key" "main" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "keyed" {
  bucket = "kmsguard-fix-migration-keyed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "keyed" {
  bucket = aws_s3_bucket.keyed.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

# The legacy inline block with SSE-S3: edited in place to use the one customer key of this root.
resource "aws_s3_bucket" "legacy" {
  bucket = "kmsguard-fix-migration-legacy"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

# A separate configuration on the AWS-managed key, named by its alias: the same key, in place.
resource "aws_s3_bucket" "managed" {
  bucket = "kmsguard-fix-migration-managed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "managed" {
  bucket = aws_s3_bucket.managed.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/aws/s3"
    }
    bucket_key_enabled = false
  }
}

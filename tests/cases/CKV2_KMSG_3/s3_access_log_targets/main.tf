resource "aws_kms_key" "no_policy" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "source" {
  bucket = "kmsguard-case-source"
}

# SSE-S3 target: S3 server access logging supports it (no key involved).
resource "aws_s3_bucket" "sse_s3" {
  bucket = "kmsguard-case-logs-sse-s3"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sse_s3" {
  bucket = aws_s3_bucket.sse_s3.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# No configuration at all: S3's default SSE-S3.
resource "aws_s3_bucket" "default" {
  bucket = "kmsguard-case-logs-default"
}

# aws:kms without a key: the AWS-managed aws/s3 key, whose key policy cannot allow the logging service.
resource "aws_s3_bucket" "aws_managed" {
  bucket = "kmsguard-case-logs-aws-managed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "aws_managed" {
  bucket = aws_s3_bucket.aws_managed.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

# A customer key without a policy argument: the default key policy (account root only).
resource "aws_s3_bucket" "no_policy" {
  bucket = "kmsguard-case-logs-no-policy"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "no_policy" {
  bucket = aws_s3_bucket.no_policy.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.no_policy.arn
    }
    bucket_key_enabled = true
  }
}

# A key created elsewhere: its policy is not in the scan.
resource "aws_s3_bucket" "outside_key" {
  bucket = "kmsguard-case-logs-outside-key"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "outside_key" {
  bucket = aws_s3_bucket.outside_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "to_sse_s3" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.sse_s3.id
  target_prefix = "a/"
}

resource "aws_s3_bucket_logging" "to_default" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = "kmsguard-case-logs-default"
  target_prefix = "b/"
}

resource "aws_s3_bucket_logging" "to_aws_managed" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.aws_managed.id
  target_prefix = "c/"
}

resource "aws_s3_bucket_logging" "to_no_policy" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.no_policy.bucket
  target_prefix = "d/"
}

resource "aws_s3_bucket_logging" "to_outside_key" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.outside_key.id
  target_prefix = "e/"
}

# A target bucket that is not created in this scan: its encryption cannot be read.
resource "aws_s3_bucket_logging" "to_outside_bucket" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = "central-logs-bucket-of-another-stack"
  target_prefix = "f/"
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "trail_key" {
  statement {
    sid       = "EnableIAMUserPermissions"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "AllowCloudTrailToEncryptLogs"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:aws:cloudtrail:*:${data.aws_caller_identity.current.account_id}:trail/*"]
    }
  }
  statement {
    sid       = "AllowCloudTrailToDescribeKey"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "trail" {
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.trail_key.json
}

# The same statements, but the encryption context names another account's trails.
resource "aws_kms_key" "other_account" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudTrailToEncryptLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringLike = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:aws:cloudtrail:*:${data.aws_caller_identity.current.account_id}:trail/audit-*" } }
      },
    ]
  })
}

resource "aws_s3_bucket" "trail" {
  bucket = "kmsguard-case-trail"
}

# The trail's own key decides: the bucket's SSE-S3 default is not used for its log files.
resource "aws_cloudtrail" "with_key" {
  name           = "management-events"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.trail.arn
}

resource "aws_cloudtrail" "context_mismatch" {
  name           = "management-events-2"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.other_account.arn
}

resource "aws_cloudtrail" "aws_managed_key" {
  name           = "management-events-3"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = "alias/aws/s3"
}

# No trail key: the bucket's default key encrypts the log files and must allow CloudTrail.
resource "aws_kms_key" "bucket_default" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "trail_cmk" {
  bucket = "kmsguard-case-trail-cmk"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "trail_cmk" {
  bucket = aws_s3_bucket.trail_cmk.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.bucket_default.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_cloudtrail" "bucket_default_key" {
  name           = "data-events"
  s3_bucket_name = aws_s3_bucket.trail_cmk.id
}

resource "aws_cloudtrail" "into_sse_s3" {
  name           = "data-events-2"
  s3_bucket_name = aws_s3_bucket.trail.id
}

# A trail that does not log delivers nothing: no result.
resource "aws_cloudtrail" "stopped" {
  name           = "stopped"
  s3_bucket_name = aws_s3_bucket.trail_cmk.id
  enable_logging = false
}

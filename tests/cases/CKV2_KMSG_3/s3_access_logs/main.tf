data "aws_caller_identity" "current" {}

# Key whose policy lets S3 server access logging use it, limited to this account and the source bucket.
resource "aws_kms_key" "allowed" {
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
        Sid       = "AllowS3ServerAccessLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "kms:GenerateDataKey"
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:aws:s3:::kmsguard-case-app" }
        }
      },
    ]
  })
}

# Key whose policy has only the account-root statement: IAM policies can grant, service principals cannot.
resource "aws_kms_key" "root_only" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIAMUserPermissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_s3_bucket" "app" {
  bucket = "kmsguard-case-app"
}

resource "aws_s3_bucket" "other" {
  bucket = "kmsguard-case-other"
}

resource "aws_s3_bucket" "logs_allowed" {
  bucket = "kmsguard-case-logs-allowed"
}

resource "aws_s3_bucket" "logs_root_only" {
  bucket = "kmsguard-case-logs-root-only"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs_allowed" {
  bucket = aws_s3_bucket.logs_allowed.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.allowed.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs_root_only" {
  bucket = aws_s3_bucket.logs_root_only.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.root_only.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "app" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = aws_s3_bucket.logs_allowed.id
  target_prefix = "app/"
}

resource "aws_s3_bucket_logging" "other" {
  bucket        = aws_s3_bucket.other.id
  target_bucket = aws_s3_bucket.logs_root_only.id
  target_prefix = "other/"
}

# The statement for the app bucket does not cover the other bucket's logs (aws:SourceArn names app only).
resource "aws_s3_bucket_logging" "other_into_allowed" {
  bucket        = aws_s3_bucket.other.id
  target_bucket = aws_s3_bucket.logs_allowed.id
  target_prefix = "other/"
}

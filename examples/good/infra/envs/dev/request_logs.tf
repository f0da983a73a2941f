# S3 server access logs of the reports bucket go to a bucket on a customer-managed
# key whose key policy lets the logging service (logging.s3.amazonaws.com) use it,
# for this account and the reports bucket only (CKV2_KMSG_3).

resource "aws_kms_key" "request_logs" {
  description         = "acme-dev request logs"
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
          ArnLike      = { "aws:SourceArn" = "arn:aws:s3:::acme-dev-reports" }
        }
      },
    ]
  })
}

resource "aws_s3_bucket" "request_logs" {
  bucket = "acme-dev-request-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "request_logs" {
  bucket = aws_s3_bucket.request_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.request_logs.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "reports" {
  bucket        = aws_s3_bucket.reports.id
  target_bucket = aws_s3_bucket.request_logs.id
  target_prefix = "s3/acme-dev-reports/"
}

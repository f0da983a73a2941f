# S3 server access logs of the reports bucket go to a bucket on a customer-managed
# key, but the key policy has only the account-root statement: the logging service
# (logging.s3.amazonaws.com) is not an IAM principal of the account, so it cannot use
# the key and log delivery fails quietly (CKV2_KMSG_3).

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "request_logs" {
  description         = "acme-dev request logs"
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

# Access-log target encrypted with the AWS-managed aws/s3 key (aws:kms with no
# key): S3 log delivery cannot use that key, so this is not exempt.

resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-dev-access-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "artifacts" {
  bucket        = module.s3.bucket_id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "s3/acme-dev-artifacts/"
}

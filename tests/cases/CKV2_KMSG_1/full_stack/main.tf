resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "this" {
  bucket = "kmsguard-full-stack"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

# Server access logs of the bucket go to an SSE-S3 log target (exempt from the customer-key rule, and a
# delivery CKV2_KMSG_3 passes: SSE-S3 needs no key policy).
resource "aws_s3_bucket" "logs" {
  bucket = "kmsguard-full-stack-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "this/"
}

# Reports share the artifacts key. The encryption configuration names the
# bucket by its literal name rather than by reference.

resource "aws_s3_bucket" "reports" {
  bucket = "acme-dev-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = "acme-dev-reports"

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.s3.key_arn
    }
    bucket_key_enabled = true
  }

  depends_on = [aws_s3_bucket.reports]
}

resource "aws_kms_key" "store" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "store" {
  bucket = "acme-region-store"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  bucket = aws_s3_bucket.store.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.store.arn
    }
    bucket_key_enabled = true
  }
}

output "bucket_arn" {
  value = aws_s3_bucket.store.arn
}

output "key_arn" {
  value = aws_kms_key.store.arn
}

resource "aws_kms_key" "primary" {
  description         = "multi-Region primary"
  multi_region        = true
  enable_key_rotation = true
}

resource "aws_kms_replica_key" "this" {
  description     = "replica in this Region"
  primary_key_arn = aws_kms_key.primary.arn
}

resource "aws_s3_bucket" "this" {
  bucket = "kmsguard-this"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_replica_key.this.arn
    }
  }
}

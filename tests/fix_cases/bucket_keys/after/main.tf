resource "aws_kms_key" "k" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "separate" {
  bucket = "acme-fix-separate"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "separate" {
  bucket = aws_s3_bucket.separate.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "legacy" {
  bucket = "acme-fix-legacy"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.k.arn
      }
      bucket_key_enabled = true
    }
  }
}

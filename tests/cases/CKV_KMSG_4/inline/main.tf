resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "on" {
  bucket = "kmsguard-on"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.this.arn
      }
      bucket_key_enabled = true
    }
  }
}

resource "aws_s3_bucket" "off" {
  bucket = "kmsguard-off"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.this.arn
      }
    }
  }
}

resource "aws_s3_bucket" "sse_s3" {
  bucket = "kmsguard-sse_s3"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "AES256"
      }
    }
  }
}

resource "aws_s3_bucket" "plain" {
  bucket = "kmsguard-plain"
}

resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

variable "bucket_name" {
  type    = string
  default = "kmsguard-from-variable"
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = "kmsguard-from-variable"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

variable "bucket_name" {
  type = string
}

resource "aws_kms_key" "this" {
  description         = "storage key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket_name
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

output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}

output "key_arn" {
  value = aws_kms_key.this.arn
}

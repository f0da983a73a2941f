resource "aws_kms_key" "logs" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "logs" {
  bucket = "kmsguard-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_lb" "web" {
  name    = "kmsguard-web"
  subnets = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  connection_logs {
    bucket = aws_s3_bucket.logs.id
    enabled = true
  }
}

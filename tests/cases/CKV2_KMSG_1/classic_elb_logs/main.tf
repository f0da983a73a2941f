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

resource "aws_elb" "web" {
  name               = "kmsguard-web"
  availability_zones = ["us-east-1a"]
  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
  access_logs {
    bucket = aws_s3_bucket.logs.id
  }
}

module "delivery_logs" {
  source = "./modules/log-bucket"

  bucket = "kmsguard-shape-delivery-logs"
  kms_key_service_principals = [
    { principal = "logging.s3.amazonaws.com", actions = ["kms:GenerateDataKey"] },
    {
      principal = "delivery.logs.amazonaws.com"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    },
  ]
}

module "plain_logs" {
  source = "./modules/log-bucket"

  bucket = "kmsguard-shape-plain-logs"
}

module "not_created" {
  source = "./modules/log-bucket"

  create_bucket = false
  bucket        = "kmsguard-shape-not-created"
}

resource "aws_s3_bucket" "app" {
  bucket = "kmsguard-shape-app"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "app" {
  bucket = aws_s3_bucket.app.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.delivery_logs.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "to_delivery_logs" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = module.delivery_logs.s3_bucket_id
  target_prefix = "app/"
}

resource "aws_s3_bucket_logging" "to_plain_logs" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = module.plain_logs.s3_bucket_id
  target_prefix = "app-copy/"
}

resource "aws_flow_log" "vpc" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "REJECT"
  log_destination_type = "s3"
  log_destination      = module.delivery_logs.s3_bucket_arn
}

resource "aws_flow_log" "vpc_plain" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "ACCEPT"
  log_destination_type = "s3"
  log_destination      = module.plain_logs.s3_bucket_arn
}

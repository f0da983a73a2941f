data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# The key-policy statement the CloudWatch Logs guide gives for logs delivered to S3 through delivery.logs.amazonaws.com.
resource "aws_kms_key" "vended" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = [data.aws_caller_identity.current.account_id] }
          ArnLike      = { "aws:SourceArn" = ["arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"] }
        }
      },
    ]
  })
}

# Only GenerateDataKey for the service: not the documented statement.
resource "aws_kms_key" "partial" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = "kms:GenerateDataKey"
        Resource  = "*"
      },
    ]
  })
}

resource "aws_s3_bucket" "good" {
  bucket = "aws-waf-logs-kmsguard-case-good"
}

resource "aws_s3_bucket" "bad" {
  bucket = "aws-waf-logs-kmsguard-case-bad"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "good" {
  bucket = aws_s3_bucket.good.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.vended.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bad" {
  bucket = aws_s3_bucket.bad.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.partial.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_flow_log" "good" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.good.arn
}

resource "aws_flow_log" "bad" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "${aws_s3_bucket.bad.arn}/flow-logs/"
}

# Flow logs to CloudWatch Logs (the provider's default destination type) deliver nothing to S3: no result.
resource "aws_flow_log" "cloudwatch" {
  vpc_id          = "vpc-0123456789abcdef0"
  traffic_type    = "ALL"
  iam_role_arn    = "arn:aws:iam::111122223333:role/flow-logs"
  log_destination = "arn:aws:logs:eu-west-1:111122223333:log-group:flow-logs"
}

resource "aws_lb" "nlb_good" {
  name               = "kmsguard-nlb-good"
  load_balancer_type = "network"
  subnets            = ["subnet-0123456789abcdef0"]
  access_logs {
    bucket  = aws_s3_bucket.good.id
    enabled = true
  }
}

resource "aws_lb" "nlb_bad" {
  name               = "kmsguard-nlb-bad"
  load_balancer_type = "network"
  subnets            = ["subnet-0123456789abcdef0"]
  access_logs {
    bucket  = aws_s3_bucket.bad.id
    enabled = true
  }
}

# access_logs without enabled = true: the provider's default is false, no delivery, no result.
resource "aws_lb" "nlb_disabled" {
  name               = "kmsguard-nlb-disabled"
  load_balancer_type = "network"
  subnets            = ["subnet-0123456789abcdef0"]
  access_logs {
    bucket = aws_s3_bucket.bad.id
  }
}

# ALB access logs support SSE-S3 only: CKV2_KMSG_1 fails the bucket; this rule reports nothing.
resource "aws_lb" "alb" {
  name    = "kmsguard-alb"
  subnets = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  access_logs {
    bucket  = aws_s3_bucket.good.id
    enabled = true
  }
}

resource "aws_wafv2_web_acl_logging_configuration" "good" {
  resource_arn            = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/app/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
  log_destination_configs = [aws_s3_bucket.good.arn]
}

resource "aws_wafv2_web_acl_logging_configuration" "bad" {
  resource_arn            = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/app2/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222"
  log_destination_configs = ["arn:aws:s3:::aws-waf-logs-kmsguard-case-bad"]
}

# WAF logs into CloudWatch Logs: not an S3 delivery, no result.
resource "aws_wafv2_web_acl_logging_configuration" "cloudwatch" {
  resource_arn            = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/app3/a1b2c3d4-5678-90ab-cdef-EXAMPLE33333"
  log_destination_configs = ["arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-app3"]
}

data "aws_caller_identity" "current" {}

# With Config's service-linked role, Config delivers as config.amazonaws.com: the key policy must allow it.
resource "aws_config_configuration_recorder" "this" {
  name     = "default"
  role_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
}

resource "aws_kms_key" "config" {
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
        Sid       = "AWSConfigKMSPolicy"
        Effect    = "Allow"
        Principal = { Service = "config.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = { StringEquals = { "AWS:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

resource "aws_kms_key" "root_only" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "config" {
  bucket = "kmsguard-case-config"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "config" {
  bucket = aws_s3_bucket.config.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.config.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_config_delivery_channel" "bucket_key" {
  name           = "default"
  s3_bucket_name = aws_s3_bucket.config.bucket
}

# s3_kms_key_arn: Config encrypts with that key instead, whose default key policy does not cover config.amazonaws.com.
resource "aws_config_delivery_channel" "own_key" {
  name           = "second"
  s3_bucket_name = aws_s3_bucket.config.bucket
  s3_kms_key_arn = aws_kms_key.root_only.arn
}

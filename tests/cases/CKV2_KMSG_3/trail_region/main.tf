# CloudTrail's key-policy statement may require the trail's ARN in aws:SourceArn. The trail's
# region is its provider configuration's: written here, so a literal region in that ARN is judged.

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

locals {
  root = {
    Sid       = "EnableIAMUserPermissions"
    Effect    = "Allow"
    Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
}

resource "aws_kms_key" "same_region" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.root,
      {
        Sid       = "AllowCloudTrailToEncryptLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:eu-west-1:${data.aws_caller_identity.current.account_id}:trail/regional" } }
      },
    ]
  })
}

resource "aws_kms_key" "other_region" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.root,
      {
        Sid       = "AllowCloudTrailToEncryptLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = "arn:aws:cloudtrail:us-east-1:${data.aws_caller_identity.current.account_id}:trail/regional-2" } }
      },
    ]
  })
}

resource "aws_s3_bucket" "trail" {
  bucket = "kmsguard-case-trail-region"
}

resource "aws_cloudtrail" "same_region" {
  name           = "regional"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.same_region.arn
}

resource "aws_cloudtrail" "other_region" {
  name           = "regional-2"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.other_region.arn
}

# Buckets named from a Region lookup, called like a registry module, and roles whose
# policies name them with the same lookup in a literal ARN: the same lookup under the
# same provider configuration is one value, so the ARN names that bucket.

data "aws_region" "current" {}

locals {
  suffix = "${data.aws_region.current.name}-kmsguard-sn"
}

resource "aws_kms_key" "data" {
  description         = "data bucket key"
  enable_key_rotation = true
}

# SSE-KMS with a customer-managed key, named from the Region lookup.
module "data" {
  source = "./modules/s3-bucket"

  bucket = "data-${local.suffix}"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.data.arn
      }
      bucket_key_enabled = true
    }
  }
}

# SSE-S3, named from the same lookup.
module "artifacts" {
  source = "./modules/s3-bucket"

  bucket = "artifacts-${data.aws_region.current.name}-kmsguard-sn"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

locals {
  assume = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

# Writes objects of the SSE-KMS bucket without any KMS permission: fails.
resource "aws_iam_role" "writer" {
  name               = "kmsguard-sn-writer"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["arn:aws:s3:::data-${data.aws_region.current.name}-kmsguard-sn/*"]
      }]
    })
  }
}

# The same, with kms:GenerateDataKey and kms:Decrypt on the bucket's key: passes.
resource "aws_iam_role" "writer_with_key" {
  name               = "kmsguard-sn-writer-with-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["arn:aws:s3:::data-${data.aws_region.current.name}-kmsguard-sn/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        },
      ]
    })
  }
}

# Reads objects of the SSE-S3 bucket through the module output: S3 needs no KMS permission, passes.
resource "aws_iam_role" "artifact_reader" {
  name               = "kmsguard-sn-artifact-reader"
  assume_role_policy = local.assume
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${module.artifacts.s3_bucket_arn}/*"]
      }]
    })
  }
}

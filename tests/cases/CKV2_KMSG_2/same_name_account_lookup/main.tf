data "aws_caller_identity" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "logs" {
  description         = "logs key"
  enable_key_rotation = true
}

# One bucket, named from the account ID lookup.
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = "logs-${data.aws_caller_identity.current.account_id}"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
    bucket_key_enabled = true
  }
}

# Writes its objects through the bucket's ARN (evaluated with the lookup inside), no KMS: fails.
resource "aws_iam_role" "by_reference" {
  name               = "by-reference"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = ["${aws_s3_bucket.logs.arn}/*"] }]
    })
  }
}

# Writes its objects through a literal ARN built from the same lookup, no KMS: fails.
resource "aws_iam_role" "by_lookup" {
  name               = "by-lookup"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["arn:aws:s3:::logs-${data.aws_caller_identity.current.account_id}/*"]
      }]
    })
  }
}

# The same with the key's permissions: passes.
resource "aws_iam_role" "with_key" {
  name               = "with-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["arn:aws:s3:::logs-${data.aws_caller_identity.current.account_id}/*"]
        },
        { Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], Resource = [aws_kms_key.logs.arn] },
      ]
    })
  }
}

# A name from the lookup that no bucket of this root has: a genuinely unknown bucket, cannot tell.
resource "aws_iam_role" "unknown_bucket" {
  name               = "unknown-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "write"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["arn:aws:s3:::other-${data.aws_caller_identity.current.account_id}/*"]
      }]
    })
  }
}

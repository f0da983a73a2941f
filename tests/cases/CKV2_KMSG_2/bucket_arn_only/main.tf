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

resource "aws_kms_key" "data" {
  description         = "data key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "list_only" {
  name               = "list-only"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [aws_s3_bucket.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "get_bucket_star" {
  name               = "get-bucket-star"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetBucket*", "s3:ListBucket"]
          Resource = ["arn:aws:s3:::acme-data"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "bucket_actions_everywhere" {
  name               = "bucket-actions-everywhere"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetBucketPolicy", "s3:ListAllMyBuckets"]
          Resource = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "getobject_on_bucket_arn" {
  name               = "getobject-on-bucket-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = [aws_s3_bucket.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "getobject_on_literal_bucket_arn" {
  name               = "getobject-on-literal-bucket-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["arn:aws:s3:::acme-data"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "list_and_read" {
  name               = "list-and-read"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [aws_s3_bucket.data.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        }
      ]
    })
  }
}

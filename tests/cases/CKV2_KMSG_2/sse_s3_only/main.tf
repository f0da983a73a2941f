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

resource "aws_kms_key" "unused" {
  description         = "unused key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "aes" {
  bucket = "acme-aes"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "aes" {
  bucket = aws_s3_bucket.aes.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = false
  }
}

resource "aws_s3_bucket" "plain" {
  bucket = "acme-plain"
}

resource "aws_s3_bucket" "aws_managed" {
  bucket = "acme-aws-managed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "aws_managed" {
  bucket = aws_s3_bucket.aws_managed.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "aes_reader_writer" {
  name               = "aes-reader-writer"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${aws_s3_bucket.aes.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "plain_reader" {
  name               = "plain-reader"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-plain/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "aws_managed_reader" {
  name               = "aws-managed-reader"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${aws_s3_bucket.aws_managed.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "star_reader" {
  name               = "star-reader"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "no_bucket" {
  name               = "no-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["ec2:DescribeInstances"]
          Resource = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "no_policy" {
  name               = "no-policy"
  assume_role_policy = local.assume
}

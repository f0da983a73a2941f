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

resource "aws_iam_role" "read_denied" {
  name               = "read-denied"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "read_write_denied" {
  name               = "read-write-denied"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "s3_all_denied" {
  name               = "s3-all-denied"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:*"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:*"]
          Resource = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "read_denied_star" {
  name               = "read-denied-star"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:GetObject"]
          Resource = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "read_denied_write_left" {
  name               = "read-denied-write-left"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "deny_conditional" {
  name               = "deny-conditional"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect    = "Deny"
          Action    = ["s3:GetObject"]
          Resource  = ["${aws_s3_bucket.data.arn}/*"]
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        }
      ]
    })
  }
}

resource "aws_iam_role" "deny_other_bucket" {
  name               = "deny-other-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Deny"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-other/*"]
        }
      ]
    })
  }
}

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

resource "aws_kms_key" "other" {
  description         = "other key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "other" {
  bucket = "other-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "other" {
  bucket = aws_s3_bucket.other.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.other.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "literal_objects" {
  name               = "literal-objects"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-data/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "literal_prefix" {
  name               = "literal-prefix"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-data/reports/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "literal_ok" {
  name               = "literal-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-data/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "wildcard_bucket" {
  name               = "wildcard-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "wildcard_objects" {
  name               = "wildcard-objects"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-*/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "wildcard_question_mark" {
  name               = "wildcard-question-mark"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-dat?/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "wildcard_no_match" {
  name               = "wildcard-no-match"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::zeta-*/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "wildcard_ok" {
  name               = "wildcard-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-*/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "interpolated_bucket_name" {
  name               = "interpolated-bucket-name"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::${aws_s3_bucket.data.bucket}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "interpolated_bucket_id" {
  name               = "interpolated-bucket-id"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["arn:aws:s3:::${aws_s3_bucket.data.id}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "other_literal_wrong_key" {
  name               = "other-literal-wrong-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::other-data/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

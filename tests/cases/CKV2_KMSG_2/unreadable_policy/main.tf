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

variable "policy_json" {
  type = string
}

variable "bucket_arn" {
  type = string
}

resource "aws_iam_role" "broken_json" {
  name               = "broken-json"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "broken_json" {
  name   = "broken-json"
  role   = aws_iam_role.broken_json.id
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\""
}

resource "aws_iam_role" "unresolved_var" {
  name               = "unresolved-var"
  assume_role_policy = local.assume
  inline_policy {
    name   = "access"
    policy = var.policy_json
  }
}

resource "aws_iam_role" "missing_policy" {
  name               = "missing-policy"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy_attachment" "missing_policy" {
  role       = aws_iam_role.missing_policy.name
  policy_arn = "arn:aws:iam::111122223333:policy/not-in-this-scan"
}

resource "aws_iam_role" "unresolved_resource" {
  name               = "unresolved-resource"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${var.bucket_arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "fine" {
  name               = "fine"
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
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

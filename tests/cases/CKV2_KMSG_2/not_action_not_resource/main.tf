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

resource "aws_kms_key" "reports" {
  description         = "reports key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.reports.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "notaction_all_but_iam" {
  name               = "notaction-all-but-iam"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect    = "Allow"
          NotAction = ["iam:*"]
          Resource  = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "notaction_no_kms" {
  name               = "notaction-no-kms"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect    = "Allow"
          NotAction = ["kms:*", "iam:*"]
          Resource  = ["*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "notresource_reaches_reports" {
  name               = "notresource-reaches-reports"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect      = "Allow"
          Action      = ["s3:GetObject"]
          NotResource = ["${aws_s3_bucket.data.arn}/*"]
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

resource "aws_iam_role" "notresource_ok" {
  name               = "notresource-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect      = "Allow"
          Action      = ["s3:GetObject"]
          NotResource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.reports.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "kms_notresource_ok" {
  name               = "kms-notresource-ok"
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
          Effect      = "Allow"
          Action      = ["kms:Decrypt"]
          NotResource = [aws_kms_key.reports.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "kms_notresource_bad" {
  name               = "kms-notresource-bad"
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
          Effect      = "Allow"
          Action      = ["kms:Decrypt"]
          NotResource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "deny_notaction" {
  name               = "deny-notaction"
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
        },
        {
          Effect    = "Deny"
          NotAction = ["s3:*"]
          Resource  = ["*"]
        }
      ]
    })
  }
}

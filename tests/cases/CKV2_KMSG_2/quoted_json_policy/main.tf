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

resource "aws_iam_role" "quoted_bad" {
  name               = "quoted-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "quoted_bad" {
  name   = "quoted-bad"
  role   = aws_iam_role.quoted_bad.id
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-data/*\"}]}"
}

resource "aws_iam_role" "quoted_ok" {
  name               = "quoted-ok"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "quoted_ok" {
  name   = "quoted-ok"
  role   = aws_iam_role.quoted_ok.id
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-data/*\"},{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"${aws_kms_key.data.arn}\"}]}"
}

resource "aws_iam_role" "quoted_star" {
  name               = "quoted-star"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "quoted_star" {
  name   = "quoted-star"
  role   = aws_iam_role.quoted_star.id
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"kms:Decrypt\"],\"Resource\":\"*\"}]}"
}

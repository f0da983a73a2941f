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

resource "aws_iam_role" "heredoc_bad" {
  name               = "heredoc-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "heredoc_bad" {
  name   = "heredoc-bad"
  role   = aws_iam_role.heredoc_bad.id
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "${aws_s3_bucket.data.arn}/*"
    }
  ]
}
EOF
}

resource "aws_iam_role" "heredoc_ok" {
  name               = "heredoc-ok"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "heredoc_ok" {
  name   = "heredoc-ok"
  role   = aws_iam_role.heredoc_ok.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["s3:GetObject", "s3:PutObject"],
          "Resource": "${aws_s3_bucket.data.arn}/*"
        },
        {
          "Effect": "Allow",
          "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
          "Resource": "${aws_kms_key.data.arn}"
        }
      ]
    }
  EOT
}

resource "aws_iam_role" "heredoc_inline_bad" {
  name               = "heredoc-inline-bad"
  assume_role_policy = local.assume
  inline_policy {
    name   = "access"
    policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "${aws_s3_bucket.data.arn}/*"
    }
  ]
}
EOF
  }
}

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

resource "aws_iam_policy" "s3_read_rpa" {
  name = "s3-read-rpa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}

resource "aws_iam_policy" "kms_rpa" {
  name = "kms-rpa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.data.arn]
      }
    ]
  })
}

resource "aws_iam_role" "rpa_bad" {
  name               = "rpa-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy_attachment" "rpa_bad" {
  role       = aws_iam_role.rpa_bad.name
  policy_arn = aws_iam_policy.s3_read_rpa.arn
}

resource "aws_iam_role" "rpa_ok" {
  name               = "rpa-ok"
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
        }
      ]
    })
  }
}

resource "aws_iam_role_policy_attachment" "rpa_ok" {
  role       = aws_iam_role.rpa_ok.id
  policy_arn = aws_iam_policy.kms_rpa.arn
}

resource "aws_iam_policy" "s3_read_lit" {
  name = "s3-read-lit"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}

resource "aws_iam_role" "rpa_literal_bad" {
  name               = "rpa-literal-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy_attachment" "rpa_literal_bad" {
  role       = "rpa-literal-bad"
  policy_arn = "arn:aws:iam::111122223333:policy/s3-read-lit"
}

resource "aws_iam_policy" "s3_read_pa" {
  name = "s3-read-pa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}

resource "aws_iam_policy" "kms_pa" {
  name = "kms-pa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.data.arn]
      }
    ]
  })
}

resource "aws_iam_role" "pa_bad" {
  name               = "pa-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role" "pa_bad_second" {
  name               = "pa-bad-second"
  assume_role_policy = local.assume
}

resource "aws_iam_policy_attachment" "s3_read_pa" {
  name       = "s3-read-pa"
  roles      = [aws_iam_role.pa_bad.name, aws_iam_role.pa_bad_second.name]
  policy_arn = aws_iam_policy.s3_read_pa.arn
}

resource "aws_iam_role" "pa_ok" {
  name               = "pa-ok"
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
        }
      ]
    })
  }
}

resource "aws_iam_policy_attachment" "kms_pa" {
  name       = "kms-pa"
  roles      = [aws_iam_role.pa_ok.name]
  policy_arn = aws_iam_policy.kms_pa.arn
}

resource "aws_iam_policy" "s3_read_mpa" {
  name = "s3-read-mpa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}

resource "aws_iam_policy" "kms_mpa" {
  name = "kms-mpa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.data.arn]
      }
    ]
  })
}

resource "aws_iam_role" "mpa_bad" {
  name                = "mpa-bad"
  assume_role_policy  = local.assume
  managed_policy_arns = [aws_iam_policy.s3_read_mpa.arn]
}

resource "aws_iam_role" "mpa_ok" {
  name               = "mpa-ok"
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
        }
      ]
    })
  }
  managed_policy_arns = [aws_iam_policy.kms_mpa.arn]
}

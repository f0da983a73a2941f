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

resource "aws_iam_role" "writer_nokms" {
  name               = "writer-nokms"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "writer_decrypt_only" {
  name               = "writer-decrypt-only"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
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

resource "aws_iam_role" "writer_gdk_only" {
  name               = "writer-gdk-only"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
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

resource "aws_iam_role" "writer_without_plaintext" {
  name               = "writer-without-plaintext"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "replicate_object_nokms" {
  name               = "replicate-object-nokms"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "writer_ok" {
  name               = "writer-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey*", "kms:Decrypt"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "writer_kms_star" {
  name               = "writer-kms-star"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${aws_s3_bucket.data.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:*"]
          Resource = [aws_kms_key.data.arn]
        }
      ]
    })
  }
}

data "aws_region" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "data" {
  description         = "data key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "data" {
  count  = 1
  bucket = "acme-dropped-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

# A Resource built with a provider-defined function the evaluator does not know.
data "aws_iam_policy_document" "unknown_function" {
  #checkov:skip=CKV_AWS_111:a skip comment inside the block
  statement {
    actions   = ["s3:*"]
    resources = [provider::aws::arn_build("aws", "s3", "", "", "acme-dropped-data/*")]
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["*"]
  }
}

# A statement that exists only in some Regions: read only at plan time.
data "aws_iam_policy_document" "regional_statement" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = data.aws_region.current.name == "eu-west-1" ? [1] : []
    content {
      actions   = ["s3:*"]
      resources = ["*"]
    }
  }
}

# The legacy ".0." index: the same bucket as aws_s3_bucket.data[0].
data "aws_iam_policy_document" "legacy_index" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.0.arn}/*"]
  }
}

data "aws_iam_policy_document" "legacy_index_with_key" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.0.arn}/*"]
  }
  statement {
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_role" "unknown_function" {
  name               = "unknown-function"
  assume_role_policy = local.assume
  inline_policy {
    name   = "p"
    policy = data.aws_iam_policy_document.unknown_function.json
  }
}

resource "aws_iam_role" "regional_statement" {
  name               = "regional-statement"
  assume_role_policy = local.assume
  inline_policy {
    name   = "p"
    policy = data.aws_iam_policy_document.regional_statement.json
  }
}

resource "aws_iam_role" "legacy_index" {
  name               = "legacy-index"
  assume_role_policy = local.assume
  inline_policy {
    name   = "p"
    policy = data.aws_iam_policy_document.legacy_index.json
  }
}

resource "aws_iam_role" "legacy_index_with_key" {
  name               = "legacy-index-with-key"
  assume_role_policy = local.assume
  inline_policy {
    name   = "p"
    policy = data.aws_iam_policy_document.legacy_index_with_key.json
  }
}

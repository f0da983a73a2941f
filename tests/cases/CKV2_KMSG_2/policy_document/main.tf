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

data "aws_iam_policy_document" "s3_read" {
  statement {
    sid       = "S3"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "KMS"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

data "aws_iam_policy_document" "kms_other" {
  statement {
    sid       = "KMS"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.other.arn]
  }
}

data "aws_iam_policy_document" "doc_bad" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}

data "aws_iam_policy_document" "doc_ok" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

data "aws_iam_policy_document" "doc_source" {
  source_policy_documents = [data.aws_iam_policy_document.kms.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}

data "aws_iam_policy_document" "doc_source_s3_only" {
  source_policy_documents = [data.aws_iam_policy_document.s3_read.json]
}

data "aws_iam_policy_document" "doc_override_wrong_key" {
  source_policy_documents   = [data.aws_iam_policy_document.kms.json]
  override_policy_documents = [data.aws_iam_policy_document.kms_other.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}

data "aws_iam_policy_document" "doc_override_adds" {
  override_policy_documents = [data.aws_iam_policy_document.kms.json]
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}

data "aws_iam_policy_document" "doc_deny" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
  statement {
    effect    = "Deny"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "doc_bad" {
  name               = "doc-bad"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_bad" {
  name   = "doc-bad"
  role   = aws_iam_role.doc_bad.id
  policy = data.aws_iam_policy_document.doc_bad.json
}

resource "aws_iam_role" "doc_ok" {
  name               = "doc-ok"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_ok" {
  name   = "doc-ok"
  role   = aws_iam_role.doc_ok.id
  policy = data.aws_iam_policy_document.doc_ok.json
}

resource "aws_iam_role" "doc_source" {
  name               = "doc-source"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_source" {
  name   = "doc-source"
  role   = aws_iam_role.doc_source.id
  policy = data.aws_iam_policy_document.doc_source.json
}

resource "aws_iam_role" "doc_source_s3_only" {
  name               = "doc-source-s3-only"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_source_s3_only" {
  name   = "doc-source-s3-only"
  role   = aws_iam_role.doc_source_s3_only.id
  policy = data.aws_iam_policy_document.doc_source_s3_only.json
}

resource "aws_iam_role" "doc_override_wrong_key" {
  name               = "doc-override-wrong-key"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_override_wrong_key" {
  name   = "doc-override-wrong-key"
  role   = aws_iam_role.doc_override_wrong_key.id
  policy = data.aws_iam_policy_document.doc_override_wrong_key.json
}

resource "aws_iam_role" "doc_override_adds" {
  name               = "doc-override-adds"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_override_adds" {
  name   = "doc-override-adds"
  role   = aws_iam_role.doc_override_adds.id
  policy = data.aws_iam_policy_document.doc_override_adds.json
}

resource "aws_iam_role" "doc_deny" {
  name               = "doc-deny"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "doc_deny" {
  name   = "doc-deny"
  role   = aws_iam_role.doc_deny.id
  policy = data.aws_iam_policy_document.doc_deny.json
}

resource "aws_iam_role" "doc_inline" {
  name               = "doc-inline"
  assume_role_policy = local.assume
  inline_policy {
    name   = "access"
    policy = data.aws_iam_policy_document.s3_read.json
  }
}

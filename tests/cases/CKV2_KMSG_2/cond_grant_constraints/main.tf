# KMS grants with constraints (KMS Developer Guide, "Using grant constraints"): the operation is allowed
# only when the request's encryption context includes (subset) or equals the pairs. S3's context is
# aws:s3:arn, the bucket ARN with an S3 Bucket Key and the object ARN without.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "subset_bucket" {
  bucket = "acme-subset-bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "subset_bucket" {
  bucket = aws_s3_bucket.subset_bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "subset_bucket" {
  name               = "cond-subset-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.subset_bucket.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_grant" "subset_bucket" {
  name              = "subset_bucket"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.subset_bucket.arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_subset = { "aws:s3:arn" = aws_s3_bucket.subset_bucket.arn }
  }
}

resource "aws_s3_bucket" "equals_bucket" {
  bucket = "acme-equals-bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "equals_bucket" {
  bucket = aws_s3_bucket.equals_bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "equals_bucket" {
  name               = "cond-equals-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.equals_bucket.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_grant" "equals_bucket" {
  name              = "equals_bucket"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.equals_bucket.arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_equals = { "aws:s3:arn" = "arn:aws:s3:::acme-equals-bucket" }
  }
}

resource "aws_s3_bucket" "subset_bucket_no_bucket_key" {
  bucket = "acme-subset-bucket-no-bucket-key"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "subset_bucket_no_bucket_key" {
  bucket = aws_s3_bucket.subset_bucket_no_bucket_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = false
  }
}

resource "aws_iam_role" "subset_bucket_no_bucket_key" {
  name               = "cond-subset-bucket-no-bucket-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.subset_bucket_no_bucket_key.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_grant" "subset_bucket_no_bucket_key" {
  name              = "subset_bucket_no_bucket_key"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.subset_bucket_no_bucket_key.arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_subset = { "aws:s3:arn" = aws_s3_bucket.subset_bucket_no_bucket_key.arn }
  }
}

resource "aws_s3_bucket" "subset_other_key" {
  bucket = "acme-subset-other-key"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "subset_other_key" {
  bucket = aws_s3_bucket.subset_other_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "subset_other_key" {
  name               = "cond-subset-other-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.subset_other_key.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_grant" "subset_other_key" {
  name              = "subset_other_key"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.subset_other_key.arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_subset = { "project" = "data" }
  }
}

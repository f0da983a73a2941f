# IAM Resource ARNs assembled from data sources, the common way to write them. terraform plan reads
# the partition, region and account; the literal rest decides which keys the ARN names (KMS Developer
# Guide, "Specifying KMS keys in IAM policy statements").

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
  kms_prefix = "arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
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

resource "aws_s3_bucket" "shared" {
  bucket = "acme-shared"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "account_keys" {
  name               = "account-keys"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:key/*" },
      ]
    })
  }
}

resource "aws_iam_role" "account_keys_via_local" {
  name               = "account-keys-via-local"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "${local.kms_prefix}:key/*" },
      ]
    })
  }
}

resource "aws_iam_role" "account_aliases" {
  name               = "account-aliases"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:alias/*" },
      ]
    })
  }
}

resource "aws_iam_role" "one_key_id" {
  name               = "one-key-id"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.shared.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      ]
    })
  }
}

resource "aws_iam_role" "other_key_id" {
  name               = "other-key-id"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.shared.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:key/ffffffff-12ab-34cd-56ef-1234567890ab" },
      ]
    })
  }
}

resource "aws_iam_role" "partition_only" {
  name               = "partition-only"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:${data.aws_partition.current.partition}:kms:*:*:key/*" },
      ]
    })
  }
}

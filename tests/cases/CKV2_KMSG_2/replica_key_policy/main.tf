# A replica key's own policy decides as an aws_kms_key's does: without a statement for the account root,
# IAM policies grant nothing on it (AWS KMS developer guide, "Default key policy").
provider "aws" {
  region = "eu-west-1"
}

resource "aws_kms_key" "primary" {
  multi_region        = true
  enable_key_rotation = true
}

resource "aws_kms_replica_key" "admin_only" {
  primary_key_arn = aws_kms_key.primary.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AdminOnly"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/admin" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_replica_key" "delegating" {
  primary_key_arn = aws_kms_key.primary.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIAM"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_s3_bucket" "replica_admin_only" {
  bucket = "kmsg-replica-admin-only"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica_admin_only" {
  bucket = aws_s3_bucket.replica_admin_only.id
  rule {
    bucket_key_enabled = true
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_replica_key.admin_only.arn
    }
  }
}

resource "aws_s3_bucket" "replica_delegating" {
  bucket = "kmsg-replica-delegating"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica_delegating" {
  bucket = aws_s3_bucket.replica_delegating.id
  rule {
    bucket_key_enabled = true
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_replica_key.delegating.arn
    }
  }
}

resource "aws_iam_role" "reader_admin_only" {
  name               = "kmsg-reader-admin-only"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.replica_admin_only.arn}/*" },
        { Effect = "Allow", Action = "kms:Decrypt", Resource = "*" },
      ]
    })
  }
}

resource "aws_iam_role" "reader_delegating" {
  name               = "kmsg-reader-delegating"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.replica_delegating.arn}/*" },
        { Effect = "Allow", Action = "kms:Decrypt", Resource = "*" },
      ]
    })
  }
}

data "aws_caller_identity" "current" {}

locals {
  root = {
    Sid       = "EnableIAMUserPermissions"
    Effect    = "Allow"
    Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
  allow_logging = {
    Sid       = "AllowS3ServerAccessLogDelivery"
    Effect    = "Allow"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Action    = "kms:GenerateDataKey"
    Resource  = "*"
  }
}

# aws:SourceAccount with a literal account: the scan does not know the deployment's account.
resource "aws_kms_key" "literal_account" {
  enable_key_rotation = true
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.root, merge(local.allow_logging, { Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } } })]
  })
}

# kms:ViaService is documented for calls a service makes for a principal, not for a service principal's own call.
resource "aws_kms_key" "via_service" {
  enable_key_rotation = true
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.root, merge(local.allow_logging, { Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } } })]
  })
}

# Allowed, but an explicit Deny of every source but another bucket applies to this source bucket's deliveries: Deny wins.
resource "aws_kms_key" "denied" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [local.root, local.allow_logging, {
      Sid       = "DenyOtherSources"
      Effect    = "Deny"
      Principal = "*"
      Action    = "kms:*"
      Resource  = "*"
      Condition = { StringNotEqualsIfExists = { "aws:SourceArn" = "arn:aws:s3:::kmsguard-case-audited" } }
    }]
  })
}

# A Deny that never applies to S3's call (it is made over TLS) is ignored.
resource "aws_kms_key" "tls_deny" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [local.root, local.allow_logging, {
      Sid       = "DenyWithoutTls"
      Effect    = "Deny"
      Principal = "*"
      Action    = "kms:*"
      Resource  = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_s3_bucket" "source" {
  bucket = "kmsguard-case-cond-source"
}

resource "aws_s3_bucket" "literal_account" {
  bucket = "kmsguard-case-cond-literal-account"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "literal_account" {
  bucket = aws_s3_bucket.literal_account.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.literal_account.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "literal_account" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.literal_account.id
  target_prefix = "literal-account/"
}

resource "aws_s3_bucket" "via_service" {
  bucket = "kmsguard-case-cond-via-service"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_service" {
  bucket = aws_s3_bucket.via_service.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_service.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "via_service" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.via_service.id
  target_prefix = "via-service/"
}

resource "aws_s3_bucket" "denied" {
  bucket = "kmsguard-case-cond-denied"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "denied" {
  bucket = aws_s3_bucket.denied.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.denied.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "denied" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.denied.id
  target_prefix = "denied/"
}

resource "aws_s3_bucket" "tls_deny" {
  bucket = "kmsguard-case-cond-tls-deny"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "tls_deny" {
  bucket = aws_s3_bucket.tls_deny.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.tls_deny.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "tls_deny" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.tls_deny.id
  target_prefix = "tls-deny/"
}

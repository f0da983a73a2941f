# Buckets whose key is created elsewhere: named by a literal key ID, key ARN, alias name or alias ARN.
# KMS Developer Guide, "Specifying KMS keys in IAM policy statements" and "Use aliases to control
# access to KMS keys": IAM names a key by its key ARN; to grant by alias, condition a statement on the
# keys with kms:ResourceAliases. kms:RequestAlias matches only requests that name the alias, and S3
# decrypts with the key ID stored in the object's metadata.

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
  key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
}

resource "aws_s3_bucket" "by_key_id" {
  bucket = "acme-by-key-id"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_key_id" {
  bucket = aws_s3_bucket.by_key_id.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.key_id
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "by_key_arn" {
  bucket = "acme-by-key-arn"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_key_arn" {
  bucket = aws_s3_bucket.by_key_arn.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "by_alias" {
  bucket = "acme-by-alias"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_alias" {
  bucket = aws_s3_bucket.by_alias.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/app-data"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "by_alias_arn" {
  bucket = "acme-by-alias-arn"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "by_alias_arn" {
  bucket = aws_s3_bucket.by_alias_arn.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:alias/app-data"
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "key_id_granted" {
  name               = "key-id-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_id.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
      ]
    })
  }
}

resource "aws_iam_role" "key_id_other" {
  name               = "key-id-other"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_id.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-12ab-34cd-56ef-1234567890ab" }
      ]
    })
  }
}

resource "aws_iam_role" "key_id_missing" {
  name               = "key-id-missing"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_id.arn}/*" }
      ]
    })
  }
}

resource "aws_iam_role" "key_arn_granted" {
  name               = "key-arn-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_arn.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
      ]
    })
  }
}

resource "aws_iam_role" "key_arn_other_account" {
  name               = "key-arn-other-account"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_arn.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
      ]
    })
  }
}

resource "aws_iam_role" "key_arn_missing" {
  name               = "key-arn-missing"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_key_arn.arn}/*" }
      ]
    })
  }
}

resource "aws_iam_role" "alias_granted" {
  name               = "alias-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:*:111122223333:key/*", Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/app-data" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_star_granted" {
  name               = "alias-star-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "*", Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/app-data" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_like_granted" {
  name               = "alias-like-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:*:111122223333:key/*", Condition = { "ForAnyValue:StringLike" = { "kms:ResourceAliases" = "alias/app-*" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_other_alias" {
  name               = "alias-other-alias"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:*:111122223333:key/*", Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/other" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_request_alias" {
  name               = "alias-request-alias"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:*:111122223333:key/*", Condition = { StringEquals = { "kms:RequestAlias" = "alias/app-data" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_on_alias_arn" {
  name               = "alias-on-alias-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:111122223333:alias/app-data" }
      ]
    })
  }
}

resource "aws_iam_role" "alias_missing" {
  name               = "alias-missing"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias.arn}/*" }
      ]
    })
  }
}

resource "aws_iam_role" "alias_arn_granted" {
  name               = "alias-arn-granted"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias_arn.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:111122223333:key/*", Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/app-data" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_arn_other_account" {
  name               = "alias-arn-other-account"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias_arn.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = "arn:aws:kms:us-east-1:444455556666:key/*", Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/app-data" } } }
      ]
    })
  }
}

resource "aws_iam_role" "alias_arn_missing" {
  name               = "alias-arn-missing"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.by_alias_arn.arn}/*" }
      ]
    })
  }
}

data "aws_iam_policy_document" "alias_document" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.by_alias.arn}/*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["arn:aws:kms:*:111122223333:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = ["alias/app-data"]
    }
  }
}

resource "aws_iam_role" "alias_document" {
  name               = "alias-document"
  assume_role_policy = local.assume
}

resource "aws_iam_role_policy" "alias_document" {
  role   = aws_iam_role.alias_document.id
  policy = data.aws_iam_policy_document.alias_document.json
}

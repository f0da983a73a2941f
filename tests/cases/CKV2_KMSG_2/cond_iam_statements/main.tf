# IAM statements with conditions, judged against the Decrypt S3 makes for the role (a forward access
# session: IAM User Guide, "Forward access sessions"). The key keeps its default key policy.

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

resource "aws_iam_role" "allow_via_s3" {
  name               = "cond-allow-via-s3"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_via_sns" {
  name               = "cond-allow-via-sns"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:ViaService" = "sns.${data.aws_region.current.name}.amazonaws.com" } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_source_vpce" {
  name               = "cond-allow-source-vpce"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_source_account_if_exists" {
  name               = "cond-allow-source-account-if-exists"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEqualsIfExists = { "aws:SourceAccount" = "111122223333" } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_caller_account_literal" {
  name               = "cond-allow-caller-account-literal"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:CallerAccount" = "111122223333" } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_caller_account_lookup" {
  name               = "cond-allow-caller-account-lookup"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:CallerAccount" = data.aws_caller_identity.current.account_id } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_context_keys_all" {
  name               = "cond-allow-context-keys-all"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { "ForAllValues:StringEquals" = { "kms:EncryptionContextKeys" = ["aws:s3:arn"] } } }
      ]
    })
  }
}

resource "aws_iam_role" "allow_context_keys_other" {
  name               = "cond-allow-context-keys-other"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { "ForAnyValue:StringEquals" = { "kms:EncryptionContextKeys" = ["project"] } } }
      ]
    })
  }
}

resource "aws_iam_role" "deny_source_ip" {
  name               = "cond-deny-source-ip"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn },
        { Effect = "Deny", Action = ["kms:Decrypt"], Resource = "*", Condition = { NotIpAddress = { "aws:SourceIp" = ["192.0.2.0/24"] } } }
      ]
    })
  }
}

resource "aws_iam_role" "deny_source_ip_exempt" {
  name               = "cond-deny-source-ip-exempt"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn },
        { Effect = "Deny", Action = ["kms:Decrypt"], Resource = "*", Condition = { NotIpAddress = { "aws:SourceIp" = ["192.0.2.0/24"] }, Bool = { "aws:ViaAWSService" = "false" } } }
      ]
    })
  }
}

resource "aws_iam_role" "deny_not_via_s3" {
  name               = "cond-deny-not-via-s3"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn },
        { Effect = "Deny", Action = ["kms:Decrypt"], Resource = "*", Condition = { StringNotLike = { "kms:ViaService" = "s3.*.amazonaws.com" } } }
      ]
    })
  }
}

resource "aws_iam_role" "deny_via_s3" {
  name               = "cond-deny-via-s3"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn },
        { Effect = "Deny", Action = ["kms:Decrypt"], Resource = "*", Condition = { StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" } } }
      ]
    })
  }
}

resource "aws_iam_role" "deny_principal_tag" {
  name               = "cond-deny-principal-tag"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn },
        { Effect = "Deny", Action = ["kms:Decrypt"], Resource = "*", Condition = { StringNotEquals = { "aws:PrincipalTag/team" = "data" } } }
      ]
    })
  }
}

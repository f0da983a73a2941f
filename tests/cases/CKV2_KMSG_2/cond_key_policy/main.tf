# One key per role. Each key policy keeps the account root statement (KMS Developer Guide, "Default key
# policy") and grants kms:Decrypt to every principal ("*") only under a condition, judged against the
# Decrypt S3 makes for the role (KMS Developer Guide, "AWS KMS condition keys"; IAM User Guide, "AWS
# global condition context keys", "Forward access sessions"). The roles hold no KMS permission of their own.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "via_sns" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "kms:ViaService" = "sns.${data.aws_region.current.name}.amazonaws.com", "kms:CallerAccount" = data.aws_caller_identity.current.account_id } } },
    ]
  })
}

resource "aws_s3_bucket" "via_sns" {
  bucket = "acme-via-sns"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_sns" {
  bucket = aws_s3_bucket.via_sns.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_sns.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_sns" {
  name               = "cond-via-sns"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_sns.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "via_sns_or_dynamodb" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "kms:ViaService" = ["sns.${data.aws_region.current.name}.amazonaws.com", "dynamodb.${data.aws_region.current.name}.amazonaws.com"] } } },
    ]
  })
}

resource "aws_s3_bucket" "via_sns_or_dynamodb" {
  bucket = "acme-via-sns-or-dynamodb"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_sns_or_dynamodb" {
  bucket = aws_s3_bucket.via_sns_or_dynamodb.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_sns_or_dynamodb.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_sns_or_dynamodb" {
  name               = "cond-via-sns-or-dynamodb"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_sns_or_dynamodb.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "via_s3" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com", "kms:CallerAccount" = data.aws_caller_identity.current.account_id } } },
    ]
  })
}

resource "aws_s3_bucket" "via_s3" {
  bucket = "acme-via-s3"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_s3" {
  bucket = aws_s3_bucket.via_s3.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_s3.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_s3" {
  name               = "cond-via-s3"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_s3.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "via_s3_literal_region" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } } },
    ]
  })
}

resource "aws_s3_bucket" "via_s3_literal_region" {
  bucket = "acme-via-s3-literal-region"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_s3_literal_region" {
  bucket = aws_s3_bucket.via_s3_literal_region.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_s3_literal_region.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_s3_literal_region" {
  name               = "cond-via-s3-literal-region"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_s3_literal_region.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "via_s3_any_region" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" } } },
    ]
  })
}

resource "aws_s3_bucket" "via_s3_any_region" {
  bucket = "acme-via-s3-any-region"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_s3_any_region" {
  bucket = aws_s3_bucket.via_s3_any_region.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_s3_any_region.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_s3_any_region" {
  name               = "cond-via-s3-any-region"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_s3_any_region.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "principal_tag" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "aws:PrincipalTag/team" = "data" } } },
    ]
  })
}

resource "aws_s3_bucket" "principal_tag" {
  bucket = "acme-principal-tag"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "principal_tag" {
  bucket = aws_s3_bucket.principal_tag.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.principal_tag.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "principal_tag" {
  name               = "cond-principal-tag"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.principal_tag.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "principal_arn_pattern" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/cond-principal-*" } } },
    ]
  })
}

resource "aws_s3_bucket" "principal_arn_pattern" {
  bucket = "acme-principal-arn-pattern"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "principal_arn_pattern" {
  bucket = aws_s3_bucket.principal_arn_pattern.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.principal_arn_pattern.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "principal_arn_pattern" {
  name               = "cond-principal-reader"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.principal_arn_pattern.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "principal_arn_other" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/other-*" } } },
    ]
  })
}

resource "aws_s3_bucket" "principal_arn_other" {
  bucket = "acme-principal-arn-other"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "principal_arn_other" {
  bucket = aws_s3_bucket.principal_arn_other.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.principal_arn_other.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "principal_arn_other" {
  name               = "cond-principal-arn-other"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.principal_arn_other.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "principal_arn_unknown_name" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/app-*" } } },
    ]
  })
}

resource "aws_s3_bucket" "principal_arn_unknown_name" {
  bucket = "acme-principal-arn-unknown-name"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "principal_arn_unknown_name" {
  bucket = aws_s3_bucket.principal_arn_unknown_name.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.principal_arn_unknown_name.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "principal_arn_unknown_name" {
  name_prefix        = "app-"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.principal_arn_unknown_name.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "principal_org" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } } },
    ]
  })
}

resource "aws_s3_bucket" "principal_org" {
  bucket = "acme-principal-org"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "principal_org" {
  bucket = aws_s3_bucket.principal_org.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.principal_org.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "principal_org" {
  name               = "cond-principal-org"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.principal_org.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "grant_for_aws_resource" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } } },
    ]
  })
}

resource "aws_s3_bucket" "grant_for_aws_resource" {
  bucket = "acme-grant-for-aws-resource"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "grant_for_aws_resource" {
  bucket = aws_s3_bucket.grant_for_aws_resource.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.grant_for_aws_resource.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "grant_for_aws_resource" {
  name               = "cond-grant-for-aws-resource"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.grant_for_aws_resource.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "context_bucket" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "kms:EncryptionContext:aws:s3:arn" = aws_s3_bucket.context_bucket.arn } } },
    ]
  })
}

resource "aws_s3_bucket" "context_bucket" {
  bucket = "acme-context-bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "context_bucket" {
  bucket = aws_s3_bucket.context_bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.context_bucket.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "context_bucket" {
  name               = "cond-context-bucket"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.context_bucket.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "context_objects_bucket_key" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringLike = { "kms:EncryptionContext:aws:s3:arn" = "${aws_s3_bucket.context_objects_bucket_key.arn}/*" } } },
    ]
  })
}

resource "aws_s3_bucket" "context_objects_bucket_key" {
  bucket = "acme-context-objects-bucket-key"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "context_objects_bucket_key" {
  bucket = aws_s3_bucket.context_objects_bucket_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.context_objects_bucket_key.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "context_objects_bucket_key" {
  name               = "cond-context-objects-bucket-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.context_objects_bucket_key.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "source_account" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } } },
    ]
  })
}

resource "aws_s3_bucket" "source_account" {
  bucket = "acme-source-account"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "source_account" {
  bucket = aws_s3_bucket.source_account.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.source_account.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "source_account" {
  name               = "cond-source-account"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.source_account.arn}/*" }
      ]
    })
  }
}

resource "aws_kms_key" "via_aws_service" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" },
      { Sid = "Use", Effect = "Allow", Principal = { AWS = "*" }, Action = ["kms:Decrypt"], Resource = "*", Condition = { Bool = { "aws:ViaAWSService" = "true" }, "ForAnyValue:StringEquals" = { "aws:CalledVia" = "s3.amazonaws.com" } } },
    ]
  })
}

resource "aws_s3_bucket" "via_aws_service" {
  bucket = "acme-via-aws-service"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_aws_service" {
  bucket = aws_s3_bucket.via_aws_service.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_aws_service.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "via_aws_service" {
  name               = "cond-via-aws-service"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.via_aws_service.arn}/*" }
      ]
    })
  }
}

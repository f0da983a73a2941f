# KMS Developer Guide, "Grants in AWS KMS": a grant lets its grantee principal call the listed
# operations on the grant's KMS key, beside the key policy and IAM policies.

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "data" {
  description         = "data key"
  enable_key_rotation = true
}

resource "aws_kms_key" "other" {
  description         = "other key"
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

# Encrypted with a key of another stack, named by its literal key ARN.
resource "aws_s3_bucket" "shared" {
  bucket = "acme-shared"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "by_reference" {
  name               = "by-reference"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "by_reference" {
  name              = "by_reference"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.by_reference.arn
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "by_literal_arn" {
  name               = "by-literal-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "by_literal_arn" {
  name              = "by_literal_arn"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = "arn:aws:iam::111122223333:role/by-literal-arn"
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "key_by_arn" {
  name               = "key-by-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "key_by_arn" {
  name              = "key_by_arn"
  key_id            = aws_kms_key.data.arn
  grantee_principal = aws_iam_role.key_by_arn.arn
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "constrained" {
  name               = "constrained"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "constrained" {
  name              = "constrained"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.constrained.arn
  operations        = ["Decrypt"]
  constraints {
    encryption_context_subset = {
      "aws:s3:arn" = "arn:aws:s3:::acme-data"
    }
  }
}

resource "aws_iam_role" "writer" {
  name               = "writer"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "writer" {
  name              = "writer"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.writer.arn
  operations        = ["Decrypt", "GenerateDataKey"]
}

resource "aws_iam_role" "writer_short" {
  name               = "writer-short"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "writer_short" {
  name              = "writer_short"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.writer_short.arn
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "wrong_operation" {
  name               = "wrong-operation"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "wrong_operation" {
  name              = "wrong_operation"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.wrong_operation.arn
  operations        = ["Encrypt", "GenerateDataKey"]
}

resource "aws_iam_role" "wrong_key" {
  name               = "wrong-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "wrong_key" {
  name              = "wrong_key"
  key_id            = aws_kms_key.other.key_id
  grantee_principal = aws_iam_role.wrong_key.arn
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "other_grantee" {
  name               = "other-grantee"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "other_grantee" {
  name              = "other_grantee"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.by_reference.arn
  operations        = ["Decrypt"]
}

resource "aws_iam_role" "shared_key" {
  name               = "shared-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.shared.arn}/*" }]
    })
  }
}

resource "aws_kms_grant" "shared_key" {
  name              = "shared_key"
  key_id            = "1234abcd-12ab-34cd-56ef-1234567890ab"
  grantee_principal = aws_iam_role.shared_key.arn
  operations        = ["Decrypt"]
}

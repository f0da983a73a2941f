# The ECS task that builds artifacts reads and writes the artifacts bucket.
# The bucket is SSE-KMS with the module's key, so the role also holds exactly the
# KMS actions S3 calls on its behalf: kms:Decrypt for GetObject (and multipart
# uploads), kms:GenerateDataKey for PutObject.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "artifact_builder" {
  name               = "acme-dev-artifact-builder"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "artifact_builder_s3" {
  name = "artifacts-s3"
  role = aws_iam_role.artifact_builder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = module.s3.bucket_arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "${module.s3.bucket_arn}/*"
      },
    ]
  })
}

data "aws_iam_policy_document" "artifact_builder_kms" {
  statement {
    sid       = "UseArtifactsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.s3.key_arn]
  }
}

resource "aws_iam_policy" "artifact_builder_kms" {
  name   = "acme-dev-artifact-builder-kms"
  policy = data.aws_iam_policy_document.artifact_builder_kms.json
}

resource "aws_iam_role_policy_attachment" "artifact_builder_kms" {
  role       = aws_iam_role.artifact_builder.name
  policy_arn = aws_iam_policy.artifact_builder_kms.arn
}

# Auditors read the DSSE-KMS audit exports: kms:Decrypt on the audit key.
resource "aws_iam_role" "auditor" {
  name               = "acme-dev-auditor"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  inline_policy {
    name = "read-audit"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.audit.arn}/*" },
        { Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.audit.arn },
      ]
    })
  }
}

# The API Gateway S3 proxy integration (GET and PUT /artifacts/{key}) assumes this role to
# read and write the artifacts bucket. The key lives in the s3 module, so the role is granted
# on the account's keys that carry the key's alias (kms:ResourceAliases): the statement
# kmsguard prints for this role when it is missing.
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "artifacts_api" {
  name               = "acme-dev-artifacts-api"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy" "artifacts_api_s3" {
  name = "artifacts-s3-proxy"
  role = aws_iam_role.artifacts_api.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "${module.s3.bucket_arn}/*"
      },
      {
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "arn:aws:kms:*:${data.aws_caller_identity.current.account_id}:key/*"
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/acme-dev-artifacts" } }
      },
    ]
  })
}

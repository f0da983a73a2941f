# What an SSE-S3 -> SSE-KMS migration leaves behind: the ECS task role still has
# its S3 permissions on the artifacts bucket, which is now encrypted with the
# module's customer-managed key, but nobody gave it KMS permissions on that key.
# In AWS every GetObject and PutObject of this role now fails with AccessDenied.

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

# The payments exporter was given KMS access through the key's alias ARN.
# An alias ARN in an IAM policy's Resource does not grant use of the key.
resource "aws_iam_role" "payments_exporter" {
  name               = "acme-dev-payments-exporter"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  inline_policy {
    name = "export"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::acme-dev-archive/*" },
        { Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = aws_kms_alias.archive.arn },
      ]
    })
  }
}

# The API Gateway S3 proxy integration (GET and PUT /artifacts/{key}) assumes this role to
# read and write the artifacts bucket. The migration report left its KMS permission
# "pending": S3 now answers every proxied request with AccessDenied.
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
    ]
  })
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The module's key has no output: the fixer adds one and grants on it.
module "keyed" {
  source = "./modules/keyed"
  bucket = "kmsguard-fix-role-modules-keyed"
}

# The module outputs its key's ARN: the grant names that output.
module "exported" {
  source = "./modules/exported"
  bucket = "kmsguard-fix-role-modules-exported"
}

resource "aws_iam_role" "consumer" {
  name               = "consumer"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "consumer" {
  name = "objects"
  role = aws_iam_role.consumer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${module.keyed.bucket_arn}/*", "${module.exported.bucket_arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = module.keyed.key_arn
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = module.exported.encryption_key
      },
    ]
  })
}

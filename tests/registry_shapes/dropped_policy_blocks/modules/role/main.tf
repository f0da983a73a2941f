# Shaped like an IAM role module: the role's policy is an aws_iam_policy_document with several
# statements. Its object statement builds the bucket ARN with a provider-defined function
# (provider::aws::arn_build, Terraform 1.8+ with AWS provider 5.40+), which the offline
# evaluator does not know: it hands back the argument without its value.
terraform {
  required_version = ">= 1.8"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

variable "name" {
  type = string
}

variable "bucket_name" {
  type = string
}

variable "kms_key_arns" {
  type    = list(string)
  default = []
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_111:writes are scoped by the bucket policy
  statement {
    sid       = "Objects"
    actions   = ["s3:*"]
    resources = [provider::aws::arn_build(data.aws_partition.current.partition, "s3", "", "", "${var.bucket_name}/*")]
  }

  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"]
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [var.kms_key_arns] : []

    content {
      sid       = "Keys"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = statement.value
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

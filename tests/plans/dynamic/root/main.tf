# Two buckets from one module whose encryption is built with `dynamic` blocks
# from an object input, as registry modules do. The HCL scan cannot expand
# those blocks; a plan of this root shows the rules Terraform builds.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

resource "aws_kms_key" "data" {
  description             = "Default encryption of the data bucket"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

# SSE-KMS with the customer-managed key above: CKV_KMSG_1 / CKV2_KMSG_1 pass.
module "data" {
  source = "./modules/bucket"

  name = "kmsguard-dynamic-data"
  encryption = {
    sse_algorithm      = "aws:kms"
    kms_key_arn        = aws_kms_key.data.arn
    bucket_key_enabled = true
  }
}

# SSE-S3 only: CKV_KMSG_1 / CKV2_KMSG_1 fail.
module "scratch" {
  source = "./modules/bucket"

  name       = "kmsguard-dynamic-scratch"
  encryption = { sse_algorithm = "AES256" }
}

# SSE-KMS with the AWS-managed aws/s3 key, looked up by alias: CKV_KMSG_1 / CKV2_KMSG_1 fail.
# In the plan the lookup's result is a plain key ARN, like a customer-managed key's.
data "aws_kms_alias" "s3" {
  name = "alias/aws/s3"
}

module "managed" {
  source = "./modules/bucket"

  name = "kmsguard-dynamic-managed"
  encryption = {
    rules = [{
      sse_algorithm      = "aws:kms"
      kms_key_arn        = data.aws_kms_alias.s3.target_key_arn
      bucket_key_enabled = true
    }]
  }
}

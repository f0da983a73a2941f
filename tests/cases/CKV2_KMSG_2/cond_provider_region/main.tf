# kms:ViaService is s3.<the bucket's region>.amazonaws.com on the KMS calls S3 makes for a role
# (KMS Developer Guide, "kms:ViaService"). The region is the bucket's provider configuration's:
# written here, so a literal region in a condition is judged.

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "virginia"
  region = "us-east-1"
}

data "aws_region" "current" {}

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
  bucket = "acme-region-data"
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

# The same region written as a literal: S3's calls for this bucket come through s3.eu-west-1.
resource "aws_iam_role" "literal_same_region" {
  name               = "region-literal-same"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } } }
      ]
    })
  }
}

# Another region: S3 in eu-west-1 never calls through s3.us-east-1.
resource "aws_iam_role" "literal_other_region" {
  name               = "region-literal-other"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:ViaService" = "s3.us-east-1.amazonaws.com" } } }
      ]
    })
  }
}

# The region lookup of the same provider configuration: eu-west-1 too.
resource "aws_iam_role" "lookup_region" {
  name               = "region-lookup"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.data.arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = aws_kms_key.data.arn, Condition = { StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com" } } }
      ]
    })
  }
}

# A module given its provider configuration: the evaluator does not keep the mapping, so the
# region of the module's bucket is not known and a literal region cannot be judged.
module "store" {
  source = "./modules/store"
  providers = {
    aws = aws.virginia
  }
}

resource "aws_iam_role" "literal_module_region" {
  name               = "region-literal-module"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${module.store.bucket_arn}/*" },
        { Effect = "Allow", Action = ["kms:Decrypt"], Resource = module.store.key_arn, Condition = { StringEquals = { "kms:ViaService" = "s3.us-east-1.amazonaws.com" } } }
      ]
    })
  }
}

# Server access logging through the module's map input: the module writes
# target_bucket = var.logging["target_bucket"] (count on length(keys(var.logging))).

resource "aws_kms_key" "data" {
  description         = "application buckets"
  enable_key_rotation = true
}

locals {
  cmk = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.data.arn
      }
      bucket_key_enabled = true
    }
  }
}

# Log target with SSE-S3: exempt, passes.
module "log_aes" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-lookup-logs-aes"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

# Log target with the AWS-managed aws/s3 key: log delivery cannot use it, fails.
module "log_aws_managed" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-lookup-logs-aws-managed"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }
}

# Log target with no configuration at all: exempt, passes.
module "log_plain" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-lookup-logs-plain"
}

# Logs to log_aes, by reference through the map.
module "app" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-lookup-app"
  server_side_encryption_configuration = local.cmk

  logging = {
    target_bucket = module.log_aes.s3_bucket_id
    target_prefix = "app/"
  }
}

# Logs to log_aws_managed, by its literal name in the map.
module "web" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-lookup-web"
  server_side_encryption_configuration = local.cmk

  logging = {
    target_bucket = "kmsguard-lookup-logs-aws-managed"
    target_prefix = "web/"
  }
}

# Logs to log_plain, by reference.
module "api" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-lookup-api"
  server_side_encryption_configuration = local.cmk

  logging = {
    target_bucket = module.log_plain.s3_bucket_id
    target_prefix = "api/"
  }
}

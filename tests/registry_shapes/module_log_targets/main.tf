# Log targets made log-ready inside a module: the module assembles each bucket's
# policy from conditional aws_iam_policy_documents (attach_*_log_delivery_policy),
# and the buckets that log to them name them through a module output.

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
  sse_s3 = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

# Receives S3 server access logs (from app), SSE-S3: exempt, passes.
module "access_logs" {
  source = "./modules/s3-bucket"

  bucket                                = "kmsguard-mlt-access-logs"
  server_side_encryption_configuration  = local.sse_s3
  attach_access_log_delivery_policy     = true
  attach_deny_insecure_transport_policy = true
}

# Receives S3 server access logs (from web) and ELB access logs, with a customer key:
# ALB/CLB access logs support only SSE-S3, fails.
module "lb_logs" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-mlt-lb-logs"
  server_side_encryption_configuration = local.cmk
  attach_elb_log_delivery_policy       = true
  attach_access_log_delivery_policy    = true
}

# Not a log target (its policy only denies insecure transport), SSE-S3: fails.
module "plain_sse_s3" {
  source = "./modules/s3-bucket"

  bucket                                = "kmsguard-mlt-plain"
  server_side_encryption_configuration  = local.sse_s3
  attach_deny_insecure_transport_policy = true
}

# Log to the targets above through the module output s3_bucket_id.
module "app" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-mlt-app"
  server_side_encryption_configuration = local.cmk

  logging = {
    target_bucket = module.access_logs.s3_bucket_id
    target_prefix = "app/"
  }
}

module "web" {
  source = "./modules/s3-bucket"

  bucket                               = "kmsguard-mlt-web"
  server_side_encryption_configuration = local.cmk

  logging = {
    target_bucket = module.lb_logs.s3_bucket_id
    target_prefix = "web/"
  }
}

resource "aws_kms_key" "data" {
  description         = "data key"
  enable_key_rotation = true
}

# S3 server access log target with SSE-S3: passes.
module "access_logs" {
  source                            = "./modules/bucket"
  name                              = "acme-mlt-access-logs"
  sse_algorithm                     = "AES256"
  attach_access_log_delivery_policy = true
}

# Also receives ALB access logs, with a customer key: fails.
module "alb_logs_cmk" {
  source                            = "./modules/bucket"
  name                              = "acme-mlt-alb-logs"
  sse_algorithm                     = "aws:kms"
  kms_key_arn                       = aws_kms_key.data.arn
  attach_access_log_delivery_policy = true
  attach_elb_log_delivery_policy    = true
}

# A bucket that is no log target, with SSE-S3: fails.
module "plain" {
  source        = "./modules/bucket"
  name          = "acme-mlt-plain"
  sse_algorithm = "AES256"
}

# Logs to access_logs through the module output.
module "app" {
  source        = "./modules/bucket"
  name          = "acme-mlt-app"
  sse_algorithm = "aws:kms"
  kms_key_arn   = aws_kms_key.data.arn
  logging       = { target_bucket = module.access_logs.s3_bucket_id }
}

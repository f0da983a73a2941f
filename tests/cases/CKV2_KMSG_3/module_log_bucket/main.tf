module "logs_with_delivery" {
  source               = "./modules/log_bucket"
  name                 = "kmsguard-case-module-logs"
  allow_s3_access_logs = true
}

module "logs_without_delivery" {
  source = "./modules/log_bucket"
  name   = "kmsguard-case-module-logs-plain"
}

resource "aws_s3_bucket" "app" {
  bucket = "kmsguard-case-module-app"
}

resource "aws_s3_bucket_logging" "allowed" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = module.logs_with_delivery.bucket_id
  target_prefix = "app/"
}

resource "aws_s3_bucket_logging" "not_allowed" {
  bucket        = aws_s3_bucket.app.id
  target_bucket = module.logs_without_delivery.bucket_id
  target_prefix = "app/"
}

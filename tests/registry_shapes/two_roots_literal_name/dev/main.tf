# dev: the same bucket names as prod, and no encryption configuration at all.
resource "aws_s3_bucket" "dev_data" {
  bucket = "kmsguard-shared-data"
}

module "dev_logs" {
  source = "../modules/s3-bucket"

  bucket = "kmsguard-shared-logs"
}

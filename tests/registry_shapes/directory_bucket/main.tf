# terraform-aws-modules/s3-bucket `directory-bucket` shape: with
# is_directory_bucket = true the module makes an aws_s3_directory_bucket and its
# aws_s3_bucket has count 0. Directory buckets are out of kmsguard's scope.
module "express" {
  source = "./modules/s3-bucket"

  bucket               = "kmsguard-express"
  is_directory_bucket  = true
  availability_zone_id = "euw1-az1"
}

# The same module for a general purpose bucket in the same root, with SSE-S3.
module "general" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-general"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

# cloudposse shapes wired both ways, as in s3-bucket's s3-inventory example and
# cloudposse's complete example: the key policy names the bucket (module.bucket
# output), the bucket encrypts with the key (module.kms_key output), and the
# key module gets literal inputs.
module "kms_key" {
  source = "./modules/key"

  name                    = "kmsguard-wired"
  description             = "KMS key for kmsguard-wired-data"
  deletion_window_in_days = 7
  enable_key_rotation     = true

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountRoot"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "S3Inventory"
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = { ArnLike = { "aws:SourceArn" = module.bucket.bucket_arn } }
      },
    ]
  })
}

module "bucket" {
  source = "./modules/bucket"

  bucket_name        = "kmsguard-wired-data"
  sse_algorithm      = "aws:kms"
  kms_master_key_arn = module.kms_key.key_arn
  bucket_key_enabled = true
}

# The same bucket module switched off: nothing is created.
module "bucket_disabled" {
  source = "./modules/bucket"

  enabled            = false
  bucket_name        = "kmsguard-wired-disabled"
  sse_algorithm      = "aws:kms"
  kms_master_key_arn = module.kms_key.key_arn
}

# prod: the same bucket names as dev, each encrypted with a customer-managed key:
# data by reference, logs (a module's bucket) by literal name within this root.
resource "aws_kms_key" "prod" {
  description         = "prod buckets"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "prod_data" {
  bucket = "kmsguard-shared-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "prod_data" {
  bucket = aws_s3_bucket.prod_data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.prod.arn
    }
    bucket_key_enabled = true
  }
}

module "prod_logs" {
  source = "../modules/s3-bucket"

  bucket = "kmsguard-shared-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "prod_logs" {
  bucket = "kmsguard-shared-logs"

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.prod.arn
    }
    bucket_key_enabled = true
  }

  depends_on = [module.prod_logs]
}

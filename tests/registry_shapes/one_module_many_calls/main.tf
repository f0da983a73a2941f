# One bucket module source called four times with different inputs, and one
# encryption configuration in the root wired to one of the calls by its output.

resource "aws_kms_key" "data" {
  description         = "data bucket"
  enable_key_rotation = true
}

resource "aws_kms_key" "reports" {
  description         = "reports bucket"
  enable_key_rotation = true
}

# Encrypted by the module with a customer-managed key.
module "data" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-calls-data"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.data.arn
      }
      bucket_key_enabled = true
    }
  }
}

# Encrypted by the module with SSE-S3.
module "scratch" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-calls-scratch"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

# No encryption from the module; encrypted by the root configuration below.
module "reports" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-calls-reports"
}

# No encryption at all.
module "archive" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-calls-archive"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = module.reports.s3_bucket_id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.reports.arn
    }
    bucket_key_enabled = true
  }
}

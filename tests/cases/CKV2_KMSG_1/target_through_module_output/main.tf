resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

module "s3" {
  source = "./modules/bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = module.s3.bucket_id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

locals {
  bucket_keys = {
    a = "alias/my-key"
    b = "alias/aws/s3"
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.bucket_keys
  bucket   = "kmsguard-${each.key}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.bucket_keys
  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = each.value
    }
  }
}

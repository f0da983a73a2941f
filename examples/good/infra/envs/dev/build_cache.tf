# CI build caches, one per runner pool, encrypted with the artifacts key
# named by its alias.

locals {
  build_cache_pools = 2
}

resource "aws_s3_bucket" "build_cache" {
  count = local.build_cache_pools

  bucket = "acme-dev-build-cache-${count.index}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "build_cache" {
  count = local.build_cache_pools

  bucket = aws_s3_bucket.build_cache[count.index].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "alias/acme-dev-artifacts"
    }
    bucket_key_enabled = true
  }
}

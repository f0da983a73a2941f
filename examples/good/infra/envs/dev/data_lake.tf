# One bucket per data-lake zone, all encrypted with the data-lake key.

locals {
  data_lake_zones = toset(["raw", "curated"])
}

resource "aws_kms_key" "data_lake" {
  description             = "acme dev: data lake"
  enable_key_rotation     = true
  rotation_period_in_days = 180
}

resource "aws_kms_alias" "data_lake" {
  name          = "alias/acme-dev-data-lake"
  target_key_id = aws_kms_key.data_lake.key_id
}

resource "aws_s3_bucket" "data_lake" {
  for_each = local.data_lake_zones

  bucket = "acme-dev-data-${each.key}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_lake" {
  for_each = local.data_lake_zones

  bucket = aws_s3_bucket.data_lake[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.data_lake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  # One rule per entry of `encryption.rules`, or the object itself as the only rule.
  dynamic "rule" {
    for_each = try(var.encryption.rules, [var.encryption])

    content {
      bucket_key_enabled = try(rule.value.bucket_key_enabled, null)

      dynamic "apply_server_side_encryption_by_default" {
        for_each = [rule.value]
        iterator = default

        content {
          sse_algorithm     = try(default.value.sse_algorithm, "aws:kms")
          kms_master_key_id = try(default.value.kms_key_arn, null)
        }
      }
    }
  }
}

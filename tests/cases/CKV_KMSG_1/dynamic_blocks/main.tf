# Encryption built by dynamic blocks, as registry modules do: Checkov cannot
# expand them from HCL, so the rules fail with a pointer to the plan scan.
variable "rules" {
  type = list(any)
}

resource "aws_kms_key" "this" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "inline" {
  bucket = "acme-dynamic-inline"

  dynamic "server_side_encryption_configuration" {
    for_each = var.rules
    content {
      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm     = server_side_encryption_configuration.value.sse_algorithm
          kms_master_key_id = aws_kms_key.this.arn
        }
      }
    }
  }
}

resource "aws_s3_bucket" "separate" {
  bucket = "acme-dynamic-separate"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "separate" {
  bucket = aws_s3_bucket.separate.id

  dynamic "rule" {
    for_each = var.rules
    content {
      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value.sse_algorithm
        kms_master_key_id = aws_kms_key.this.arn
      }
      bucket_key_enabled = true
    }
  }
}

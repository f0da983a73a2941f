# Shaped like terraform-aws-modules/s3-bucket with its own KMS key: create flags, a
# policy assembled from conditional statements for the log-delivery services, and
# an encryption configuration from a map input.

variable "create_bucket" {
  type    = bool
  default = true
}

variable "bucket" {
  type = string
}

variable "kms_key_enable_default_policy" {
  type    = bool
  default = true
}

variable "kms_key_service_principals" {
  description = "Services that deliver into the bucket and must use its key (key policy statements)"
  type = list(object({
    principal = string
    actions   = list(string)
  }))
  default = []
}

variable "account_id" {
  description = "The account whose IAM policies may grant use of the key (a literal keeps the fixture plannable offline)"
  type        = string
  default     = "111122223333"
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "key" {
  count = var.create_bucket ? 1 : 0

  dynamic "statement" {
    for_each = var.kms_key_enable_default_policy ? [1] : []
    content {
      sid       = "Default"
      actions   = ["kms:*"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.account_id}:root"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_service_principals
    content {
      sid       = "Service${statement.key}"
      actions   = statement.value.actions
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = [statement.value.principal]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.create_bucket ? 1 : 0

  description             = "Key for ${var.bucket}"
  enable_key_rotation     = true
  deletion_window_in_days = null
  policy                  = data.aws_iam_policy_document.key[0].json
}

resource "aws_s3_bucket" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = var.bucket
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this[0].arn
    }
    bucket_key_enabled = true
  }
}

output "s3_bucket_id" {
  value = try(aws_s3_bucket.this[0].id, "")
}

output "s3_bucket_arn" {
  value = try(aws_s3_bucket.this[0].arn, "")
}

output "kms_key_arn" {
  value = try(aws_kms_key.this[0].arn, "")
}

# Buckets whose default encryption kmsguard cannot read before apply: a variable with no value, and
# a dynamic rule block whose for_each has no value. Either may be SSE-KMS with any key, so a role
# using them is never passed, whatever KMS grant it holds.

variable "algorithm" {
  type = string
}

variable "encryption_rules" {
  type = list(object({ algorithm = string, key = string }))
}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

resource "aws_s3_bucket" "unknown_algorithm" {
  bucket = "acme-unknown-algorithm"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "unknown_algorithm" {
  bucket = aws_s3_bucket.unknown_algorithm.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = var.algorithm
    }
  }
}

resource "aws_s3_bucket" "dynamic_rules" {
  bucket = "acme-dynamic-rules"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "dynamic_rules" {
  bucket = aws_s3_bucket.dynamic_rules.id
  dynamic "rule" {
    for_each = var.encryption_rules
    content {
      apply_server_side_encryption_by_default {
        sse_algorithm     = rule.value.algorithm
        kms_master_key_id = rule.value.key
      }
    }
  }
}

resource "aws_iam_role" "reads_unknown_algorithm" {
  name               = "reads-unknown-algorithm"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.unknown_algorithm.arn}/*" }]
    })
  }
}

resource "aws_iam_role" "writes_dynamic_rules_kms_star" {
  name               = "writes-dynamic-rules-kms-star"
  assume_role_policy = local.assume
  inline_policy {
    name = "objects"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["s3:PutObject"], Resource = "${aws_s3_bucket.dynamic_rules.arn}/*" },
        { Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], Resource = "*" },
      ]
    })
  }
}

resource "aws_iam_role" "bucket_level_only" {
  name               = "bucket-level-only"
  assume_role_policy = local.assume
  inline_policy {
    name = "list"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:ListBucket"], Resource = aws_s3_bucket.dynamic_rules.arn }]
    })
  }
}

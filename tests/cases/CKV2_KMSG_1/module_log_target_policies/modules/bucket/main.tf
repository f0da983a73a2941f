# A bucket module that makes its bucket log-ready from inputs, assembling the bucket policy from
# conditional policy documents (the terraform-aws-modules s3-bucket shape).
variable "name" { type = string }
variable "sse_algorithm" { type = string }
variable "kms_key_arn" { default = null }
variable "attach_access_log_delivery_policy" { default = false }
variable "attach_elb_log_delivery_policy" { default = false }
variable "logging" { default = {} }

resource "aws_s3_bucket" "this" {
  count  = 1
  bucket = var.name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.sse_algorithm == "aws:kms"
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = length(keys(var.logging)) > 0 ? 1 : 0
  bucket        = aws_s3_bucket.this[0].id
  target_bucket = var.logging["target_bucket"]
  target_prefix = "logs/"
}

resource "aws_s3_bucket_policy" "this" {
  count  = var.attach_access_log_delivery_policy || var.attach_elb_log_delivery_policy ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.combined[0].json
}

data "aws_iam_policy_document" "combined" {
  count = var.attach_access_log_delivery_policy || var.attach_elb_log_delivery_policy ? 1 : 0
  source_policy_documents = compact([
    var.attach_access_log_delivery_policy ? data.aws_iam_policy_document.access_log_delivery[0].json : "",
    var.attach_elb_log_delivery_policy ? data.aws_iam_policy_document.elb_log_delivery[0].json : "",
  ])
}

data "aws_iam_policy_document" "access_log_delivery" {
  count = var.attach_access_log_delivery_policy ? 1 : 0
  statement {
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this[0].arn}/*"]
  }
}

data "aws_iam_policy_document" "elb_log_delivery" {
  count = var.attach_elb_log_delivery_policy ? 1 : 0
  statement {
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this[0].arn}/*"]
  }
}

output "s3_bucket_id" {
  value = try(aws_s3_bucket_policy.this[0].id, aws_s3_bucket.this[0].id, "")
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# No default encryption and no customer key in this root: a new key, its alias and a configuration.
resource "aws_s3_bucket" "plain" {
  bucket = "kmsguard-fix-migration-plain"
}

resource "aws_kms_key" "plain" {
  description             = "Default encryption of the S3 bucket aws_s3_bucket.plain"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "plain" {
  name          = "alias/kmsguard-fix-migration-plain"
  target_key_id = aws_kms_key.plain.key_id
}

resource "aws_s3_bucket_server_side_encryption_configuration" "plain" {
  bucket = aws_s3_bucket.plain.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.plain.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "plain" {
  bucket        = aws_s3_bucket.plain.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "plain/"
}

# A log target on aws/s3 (aws:kms with no key): log delivery cannot use aws/s3, so SSE-S3.
resource "aws_s3_bucket" "logs" {
  bucket = "kmsguard-fix-migration-logs"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

# This role reads the plain bucket. It needs no KMS permission today; after the move it needs kms:Decrypt
# on the new key, in the same patch.
resource "aws_iam_role" "reader" {
  name               = "plain-reader"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "reader" {
  name = "read"
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.plain.arn}/*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = aws_kms_key.plain.arn
      },
    ]
  })
}

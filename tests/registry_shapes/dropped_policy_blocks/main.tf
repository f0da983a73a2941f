# A role module whose policy statement the evaluator cannot evaluate (issue 18, section 3).

resource "aws_kms_key" "data" {
  description         = "data bucket key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "data" {
  bucket = "kmsguard-dropped-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

# s3:* on the data bucket's objects through arn_build, no KMS permission: cannot be read, fails.
module "writer" {
  source = "./modules/role"

  name        = "kmsguard-dropped-writer"
  bucket_name = aws_s3_bucket.data.bucket
}

# The same statement with the key's permissions: the object statement is still unreadable, so
# kmsguard cannot tell which bucket it names; it fails saying so rather than pass.
module "writer_with_key" {
  source = "./modules/role"

  name         = "kmsguard-dropped-writer-with-key"
  bucket_name  = aws_s3_bucket.data.bucket
  kms_key_arns = [aws_kms_key.data.arn]
}

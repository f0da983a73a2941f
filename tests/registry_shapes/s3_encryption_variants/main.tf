# terraform-aws-modules/s3-bucket shape: the encryption rule is a dynamic block
# over try(flatten([var.server_side_encryption_configuration["rule"]]), []),
# fed by a literal map here. One module, four calls.

resource "aws_kms_key" "objects" {
  description             = "KMS key used to encrypt bucket objects"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}

# SSE-KMS with the customer-managed key above, Bucket Key on.
module "cmk" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-variants-cmk"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        kms_master_key_id = aws_kms_key.objects.arn
        sse_algorithm     = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }
}

# SSE-S3, the rule given as a list.
module "aes256" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-variants-aes256"

  server_side_encryption_configuration = {
    rule = [{
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }]
  }
}

# aws:kms without a key: the AWS-managed aws/s3 key; Bucket Key off.
module "aws_managed" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-variants-aws-managed"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = null
      }
    }
  }
}

# No encryption input: the module makes no configuration (count 0).
module "plain" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-variants-plain"
}

# IAM roles using buckets made by the s3-bucket module, encrypted with a key
# made by the kms module (its key_arn output is a try() over four key kinds).

module "key" {
  source = "./modules/kms"

  description = "data bucket"
}

module "data" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-roles-data"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = module.key.key_arn
      }
      bucket_key_enabled = true
    }
  }
}

module "public" {
  source = "./modules/s3-bucket"

  bucket = "kmsguard-roles-public"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }
}

locals {
  assume_lambda = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

# Reads data objects and may decrypt with the bucket's key.
resource "aws_iam_role" "reader_ok" {
  name               = "kmsguard-roles-reader-ok"
  assume_role_policy = local.assume_lambda
}

resource "aws_iam_role_policy" "reader_ok" {
  name = "read-data"
  role = aws_iam_role.reader_ok.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = "${module.data.s3_bucket_arn}/*" },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = module.key.key_arn },
    ]
  })
}

# Reads data objects, no KMS permission at all.
resource "aws_iam_role" "reader_no_kms" {
  name               = "kmsguard-roles-reader-no-kms"
  assume_role_policy = local.assume_lambda

  inline_policy {
    name = "read-data"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${module.data.s3_bucket_arn}/*" }]
    })
  }
}

# Writes data objects with kms:Decrypt only (PutObject needs kms:GenerateDataKey).
resource "aws_iam_role" "writer_no_generate" {
  name               = "kmsguard-roles-writer"
  assume_role_policy = local.assume_lambda
}

resource "aws_iam_role_policy" "writer_no_generate" {
  name = "write-data"
  role = aws_iam_role.writer_no_generate.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:PutObject"], Resource = "${module.data.s3_bucket_arn}/*" },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = module.key.key_arn },
    ]
  })
}

# Reads objects of the SSE-S3 bucket only: needs nothing from KMS.
resource "aws_iam_role" "public_reader" {
  name               = "kmsguard-roles-public-reader"
  assume_role_policy = local.assume_lambda

  inline_policy {
    name = "read-public"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${module.public.s3_bucket_arn}/*" }]
    })
  }
}

# Lists the data bucket only (bucket-level action): needs nothing from KMS.
resource "aws_iam_role" "lister" {
  name               = "kmsguard-roles-lister"
  assume_role_policy = local.assume_lambda

  inline_policy {
    name = "list-data"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:ListBucket"], Resource = module.data.s3_bucket_arn }]
    })
  }
}

module "storage" {
  source      = "./modules/storage"
  bucket_name = "acme-module-data"
}

locals {
  storage_objects = "${module.storage.bucket_arn}/*"
}

locals {
  assume = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "mod_ok" {
  name               = "mod-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${module.storage.bucket_arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [module.storage.key_arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "mod_writer_ok" {
  name               = "mod-writer-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = [local.storage_objects]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = [module.storage.key_arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "mod_bad" {
  name               = "mod-bad"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${module.storage.bucket_arn}/*"]
        }
      ]
    })
  }
}

resource "aws_iam_role" "mod_writer_bad" {
  name               = "mod-writer-bad"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = [local.storage_objects]
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [module.storage.key_arn]
        }
      ]
    })
  }
}

resource "aws_iam_role" "mod_literal_bad" {
  name               = "mod-literal-bad"
  assume_role_policy = local.assume
  inline_policy {
    name = "access"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["arn:aws:s3:::acme-module-data/*"]
        }
      ]
    })
  }
}

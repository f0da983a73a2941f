# terraform-aws-modules/s3-bucket `s3-replication` shape: the replication
# configuration and the encryption rules are dynamic blocks over the caller's
# literal maps. Replicating SSE-KMS objects needs kms:Decrypt on the source key
# and kms:Encrypt on the replica key (and S3 writes the replicas, which needs
# kms:GenerateDataKey/kms:Decrypt on the replica bucket's key).

resource "aws_kms_key" "source" {
  description         = "source buckets"
  enable_key_rotation = true
}

resource "aws_kms_key" "replica" {
  description         = "replica bucket"
  enable_key_rotation = true
}

locals {
  assume_s3 = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "s3.amazonaws.com" } }]
  })
}

module "replica" {
  source = "./modules/s3-bucket"

  bucket     = "kmsguard-replication-replica"
  versioning = { enabled = true }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        kms_master_key_id = aws_kms_key.replica.arn
        sse_algorithm     = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }
}

# Replicated by a role with S3 permissions only.
module "source" {
  source = "./modules/s3-bucket"

  bucket     = "kmsguard-replication-source"
  versioning = { enabled = true }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        kms_master_key_id = aws_kms_key.source.arn
        sse_algorithm     = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }

  replication_configuration = {
    role = aws_iam_role.replication.arn

    rules = [
      {
        id                        = "everything"
        status                    = true
        delete_marker_replication = false

        source_selection_criteria = {
          sse_kms_encrypted_objects = {
            enabled = true
          }
        }

        destination = {
          bucket             = module.replica.s3_bucket_arn
          storage_class      = "STANDARD"
          replica_kms_key_id = aws_kms_key.replica.arn
        }
      },
    ]
  }
}

# Replicated by a role that also holds the KMS permissions.
module "source_ok" {
  source = "./modules/s3-bucket"

  bucket     = "kmsguard-replication-source-ok"
  versioning = { enabled = true }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        kms_master_key_id = aws_kms_key.source.arn
        sse_algorithm     = "aws:kms"
      }
      bucket_key_enabled = true
    }
  }

  replication_configuration = {
    role = aws_iam_role.replication_ok.arn

    rule = {
      id                        = "everything"
      status                    = "Enabled"
      delete_marker_replication = false

      source_selection_criteria = {
        sse_kms_encrypted_objects = {
          enabled = true
        }
      }

      destination = {
        bucket        = module.replica.s3_bucket_arn
        storage_class = "STANDARD"
        encryption_configuration = {
          replica_kms_key_id = aws_kms_key.replica.arn
        }
      }
    }
  }
}

resource "aws_iam_role" "replication" {
  name               = "kmsguard-replication"
  assume_role_policy = local.assume_s3
}

resource "aws_iam_policy" "replication" {
  name = "kmsguard-replication"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
        Resource = [module.source.s3_bucket_arn]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
        Resource = ["${module.source.s3_bucket_arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
        Resource = "${module.replica.s3_bucket_arn}/*"
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "replication" {
  role       = aws_iam_role.replication.name
  policy_arn = aws_iam_policy.replication.arn
}

resource "aws_iam_role" "replication_ok" {
  name               = "kmsguard-replication-ok"
  assume_role_policy = local.assume_s3
}

resource "aws_iam_role_policy" "replication_ok" {
  name = "replicate"
  role = aws_iam_role.replication_ok.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
        Resource = [module.source_ok.s3_bucket_arn]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
        Resource = ["${module.source_ok.s3_bucket_arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
        Resource = "${module.replica.s3_bucket_arn}/*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = aws_kms_key.source.arn
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]
        Resource = aws_kms_key.replica.arn
      },
    ]
  })
}

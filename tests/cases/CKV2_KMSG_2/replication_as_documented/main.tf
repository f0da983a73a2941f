# S3 User Guide, "Replicating encrypted objects": the replication role needs kms:Decrypt on the
# source objects' key and kms:Encrypt on the replica key; with an S3 Bucket Key on the replicated
# objects, also kms:Decrypt on the replica key ("Amazon S3 Bucket Keys and replication").

# The page writes kms:ViaService as "s3.source-bucket-region.amazonaws.com": the buckets' region.
data "aws_region" "current" {}

locals {
  assume = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "s3.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "replica" {
  description         = "replica key"
  enable_key_rotation = true
}

resource "aws_kms_alias" "replica" {
  name          = "alias/acme-replica"
  target_key_id = aws_kms_key.replica.key_id
}

resource "aws_s3_bucket" "replica" {
  bucket = "acme-replica"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica" {
  bucket = aws_s3_bucket.replica.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.replica.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_kms_key" "documented" {
  description         = "documented source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "documented" {
  bucket = "acme-documented"
}

resource "aws_s3_bucket_versioning" "documented" {
  bucket = aws_s3_bucket.documented.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "documented" {
  bucket = aws_s3_bucket.documented.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.documented.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "documented" {
  name               = "documented"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.documented.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.documented.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.documented.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.documented.arn}/*"]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.replica.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "documented" {
  depends_on = [aws_s3_bucket_versioning.documented]
  role       = aws_iam_role.documented.arn
  bucket     = aws_s3_bucket.documented.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "no_encrypt" {
  description         = "no_encrypt source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "no_encrypt" {
  bucket = "acme-no-encrypt"
}

resource "aws_s3_bucket_versioning" "no_encrypt" {
  bucket = aws_s3_bucket.no_encrypt.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "no_encrypt" {
  bucket = aws_s3_bucket.no_encrypt.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.no_encrypt.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "no_encrypt" {
  name               = "no-encrypt"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.no_encrypt.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.no_encrypt.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.no_encrypt.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.no_encrypt.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "no_encrypt" {
  depends_on = [aws_s3_bucket_versioning.no_encrypt]
  role       = aws_iam_role.no_encrypt.arn
  bucket     = aws_s3_bucket.no_encrypt.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "no_source_decrypt" {
  description         = "no_source_decrypt source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "no_source_decrypt" {
  bucket = "acme-no-source-decrypt"
}

resource "aws_s3_bucket_versioning" "no_source_decrypt" {
  bucket = aws_s3_bucket.no_source_decrypt.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "no_source_decrypt" {
  bucket = aws_s3_bucket.no_source_decrypt.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.no_source_decrypt.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "no_source_decrypt" {
  name               = "no-source-decrypt"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.no_source_decrypt.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.no_source_decrypt.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.replica.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "no_source_decrypt" {
  depends_on = [aws_s3_bucket_versioning.no_source_decrypt]
  role       = aws_iam_role.no_source_decrypt.arn
  bucket     = aws_s3_bucket.no_source_decrypt.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "via_alias_arn" {
  description         = "via_alias_arn source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "via_alias_arn" {
  bucket = "acme-via-alias-arn"
}

resource "aws_s3_bucket_versioning" "via_alias_arn" {
  bucket = aws_s3_bucket.via_alias_arn.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_alias_arn" {
  bucket = aws_s3_bucket.via_alias_arn.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_alias_arn.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "via_alias_arn" {
  name               = "via-alias-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.via_alias_arn.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.via_alias_arn.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.via_alias_arn.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.via_alias_arn.arn}/*"]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.replica.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "via_alias_arn" {
  depends_on = [aws_s3_bucket_versioning.via_alias_arn]
  role       = aws_iam_role.via_alias_arn.arn
  bucket     = aws_s3_bucket.via_alias_arn.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_alias.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "via_literal_alias_arn" {
  description         = "via_literal_alias_arn source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "via_literal_alias_arn" {
  bucket = "acme-via-literal-alias-arn"
}

resource "aws_s3_bucket_versioning" "via_literal_alias_arn" {
  bucket = aws_s3_bucket.via_literal_alias_arn.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "via_literal_alias_arn" {
  bucket = aws_s3_bucket.via_literal_alias_arn.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.via_literal_alias_arn.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "via_literal_alias_arn" {
  name               = "via-literal-alias-arn"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.via_literal_alias_arn.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.via_literal_alias_arn.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.via_literal_alias_arn.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.via_literal_alias_arn.arn}/*"]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.replica.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "via_literal_alias_arn" {
  depends_on = [aws_s3_bucket_versioning.via_literal_alias_arn]
  role       = aws_iam_role.via_literal_alias_arn.arn
  bucket     = aws_s3_bucket.via_literal_alias_arn.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = "arn:aws:kms:us-east-1:111122223333:alias/acme-replica"
      }
    }
  }
}

resource "aws_kms_key" "encrypt_on_alias" {
  description         = "encrypt_on_alias source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "encrypt_on_alias" {
  bucket = "acme-encrypt-on-alias"
}

resource "aws_s3_bucket_versioning" "encrypt_on_alias" {
  bucket = aws_s3_bucket.encrypt_on_alias.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "encrypt_on_alias" {
  bucket = aws_s3_bucket.encrypt_on_alias.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.encrypt_on_alias.arn
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "encrypt_on_alias" {
  name               = "encrypt-on-alias"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.encrypt_on_alias.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.encrypt_on_alias.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.encrypt_on_alias.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.encrypt_on_alias.arn}/*"]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_alias.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = ["${aws_s3_bucket.replica.arn}/*"]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "encrypt_on_alias" {
  depends_on = [aws_s3_bucket_versioning.encrypt_on_alias]
  role       = aws_iam_role.encrypt_on_alias.arn
  bucket     = aws_s3_bucket.encrypt_on_alias.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_alias.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "bucket_key" {
  description         = "bucket_key source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "bucket_key" {
  bucket = "acme-bucket-key"
}

resource "aws_s3_bucket_versioning" "bucket_key" {
  bucket = aws_s3_bucket.bucket_key.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket_key" {
  bucket = aws_s3_bucket.bucket_key.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.bucket_key.arn
    }
    bucket_key_enabled = true
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
# Bucket ARN conditions, as the page asks with S3 Bucket Keys; it still lacks kms:Decrypt on the replica key.
resource "aws_iam_role" "bucket_key" {
  name               = "bucket-key"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.bucket_key.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.bucket_key.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.bucket_key.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = [aws_s3_bucket.bucket_key.arn]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = [aws_s3_bucket.replica.arn]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "bucket_key" {
  depends_on = [aws_s3_bucket_versioning.bucket_key]
  role       = aws_iam_role.bucket_key.arn
  bucket     = aws_s3_bucket.bucket_key.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

resource "aws_kms_key" "bucket_key_ok" {
  description         = "bucket_key_ok source key"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "bucket_key_ok" {
  bucket = "acme-bucket-key-ok"
}

resource "aws_s3_bucket_versioning" "bucket_key_ok" {
  bucket = aws_s3_bucket.bucket_key_ok.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket_key_ok" {
  bucket = aws_s3_bucket.bucket_key_ok.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.bucket_key_ok.arn
    }
    bucket_key_enabled = true
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
# With an S3 Bucket Key the encryption context is the bucket's ARN, not the object's ("Amazon S3
# Bucket Keys and replication": update the kms:EncryptionContext:aws:s3:arn condition to the bucket ARN).
resource "aws_iam_role" "bucket_key_ok" {
  name               = "bucket-key-ok"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.bucket_key_ok.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.bucket_key_ok.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt"]
          Resource = [aws_kms_key.bucket_key_ok.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = [aws_s3_bucket.bucket_key_ok.arn]
            }
          }
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Encrypt", "kms:Decrypt"]
          Resource = [aws_kms_key.replica.arn]
          Condition = {
            StringLike = {
              "kms:ViaService"                   = "s3.${data.aws_region.current.name}.amazonaws.com"
              "kms:EncryptionContext:aws:s3:arn" = [aws_s3_bucket.replica.arn]
            }
          }
        },
      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "bucket_key_ok" {
  depends_on = [aws_s3_bucket_versioning.bucket_key_ok]
  role       = aws_iam_role.bucket_key_ok.arn
  bucket     = aws_s3_bucket.bucket_key_ok.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

resource "aws_s3_bucket" "sse_s3_source" {
  bucket = "acme-sse-s3-source"
}

resource "aws_s3_bucket_versioning" "sse_s3_source" {
  bucket = aws_s3_bucket.sse_s3_source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sse_s3_source" {
  bucket = aws_s3_bucket.sse_s3_source.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = false
  }
}

# The complete policy of the AWS page, with this role's buckets and keys.
resource "aws_iam_role" "sse_s3_source" {
  name               = "sse-s3-source"
  assume_role_policy = local.assume
  inline_policy {
    name = "replication"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = [aws_s3_bucket.sse_s3_source.arn]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl"]
          Resource = ["${aws_s3_bucket.sse_s3_source.arn}/*"]
        },
        {
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete"]
          Resource = "${aws_s3_bucket.replica.arn}/*"
        },

      ]
    })
  }
}

resource "aws_s3_bucket_replication_configuration" "sse_s3_source" {
  depends_on = [aws_s3_bucket_versioning.sse_s3_source]
  role       = aws_iam_role.sse_s3_source.arn
  bucket     = aws_s3_bucket.sse_s3_source.id

  rule {
    id     = "all"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Disabled"
      }
    }
    destination {
      bucket = aws_s3_bucket.replica.arn
      encryption_configuration {
        replica_kms_key_id = aws_kms_key.replica.arn
      }
    }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "reports" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowS3InventoryReports"
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = "kms:GenerateDataKey"
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:aws:s3:::kmsguard-case-data" }
        }
      },
    ]
  })
}

resource "aws_kms_key" "root_only" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "data" {
  bucket = "kmsguard-case-data"
}

resource "aws_s3_bucket" "reports" {
  bucket = "kmsguard-case-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.reports.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket" "exports" {
  bucket = "kmsguard-case-exports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.root_only.arn
    }
    bucket_key_enabled = true
  }
}

# Into the bucket's default key, which allows s3.amazonaws.com for the data bucket.
resource "aws_s3_bucket_inventory" "default_key" {
  bucket                   = aws_s3_bucket.data.id
  name                     = "daily"
  included_object_versions = "Current"
  schedule {
    frequency = "Daily"
  }
  destination {
    bucket {
      format     = "CSV"
      bucket_arn = aws_s3_bucket.reports.arn
    }
  }
}

# The report names its own key (encryption.sse_kms): judged on that key, whose policy lacks s3.amazonaws.com.
resource "aws_s3_bucket_inventory" "own_key" {
  bucket                   = aws_s3_bucket.data.id
  name                     = "weekly"
  included_object_versions = "All"
  schedule {
    frequency = "Weekly"
  }
  destination {
    bucket {
      format     = "CSV"
      bucket_arn = aws_s3_bucket.reports.arn
      encryption {
        sse_kms {
          key_id = aws_kms_key.root_only.arn
        }
      }
    }
  }
}

# The report asks for SSE-S3 itself: no key is used.
resource "aws_s3_bucket_inventory" "sse_s3" {
  bucket                   = aws_s3_bucket.data.id
  name                     = "monthly"
  included_object_versions = "All"
  schedule {
    frequency = "Weekly"
  }
  destination {
    bucket {
      format     = "CSV"
      bucket_arn = aws_s3_bucket.exports.arn
      encryption {
        sse_s3 {}
      }
    }
  }
}

resource "aws_s3_bucket_analytics_configuration" "to_reports" {
  bucket = aws_s3_bucket.data.id
  name   = "all"
  storage_class_analysis {
    data_export {
      destination {
        s3_bucket_destination {
          bucket_arn = aws_s3_bucket.reports.arn
        }
      }
    }
  }
}

resource "aws_s3_bucket_analytics_configuration" "to_exports" {
  bucket = aws_s3_bucket.data.id
  name   = "all-exports"
  storage_class_analysis {
    data_export {
      destination {
        s3_bucket_destination {
          bucket_arn = aws_s3_bucket.exports.arn
        }
      }
    }
  }
}

# Analysis without an export writes nothing: no result.
resource "aws_s3_bucket_analytics_configuration" "no_export" {
  bucket = aws_s3_bucket.data.id
  name   = "no-export"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "data" {
  bucket = "kmsguard-fix-role-statements-data"
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

# Its own jsonencode policy: the KMS statement becomes a new entry of its Statement list.
resource "aws_iam_role" "reader" {
  name               = "reader"
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
        Resource = "${aws_s3_bucket.data.arn}/*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = aws_kms_key.data.arn
      },
    ]
  })
}

# Its own policy document, used by no other policy: a new statement block in it.
data "aws_iam_policy_document" "writer" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }

  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_role" "writer" {
  name               = "writer"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  inline_policy {
    name   = "write"
    policy = data.aws_iam_policy_document.writer.json
  }
}

# A managed policy shared with other roles: the role gets a policy of its own, right after it.
resource "aws_iam_policy" "shared" {
  name = "shared-read"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*" }]
  })
}

resource "aws_iam_role" "auditor" {
  name               = "auditor"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "auditor_kms" {
  name = "kms-access"
  role = aws_iam_role.auditor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = aws_kms_key.data.arn
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "auditor" {
  role       = aws_iam_role.auditor.name
  policy_arn = aws_iam_policy.shared.arn
}

# The key policy does not delegate to IAM (no account-root statement): IAM policies grant nothing on it,
# so the statement goes into the key policy, naming the role.
resource "aws_kms_key" "closed" {
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Admins"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/key-admin" }
        Action    = ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"]
        Resource  = "*"
      },
      {
        Effect = "Allow"
        Principal = {
          AWS = aws_iam_role.closed_reader.arn
        }
        Action   = ["kms:Decrypt"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_s3_bucket" "closed" {
  bucket = "kmsguard-fix-role-statements-closed"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "closed" {
  bucket = aws_s3_bucket.closed.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.closed.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "closed_reader" {
  name               = "closed-reader"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  inline_policy {
    name = "read"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.closed.arn}/*" }]
    })
  }
}

# The bucket's key comes from a variable with no value: which key to grant on is unknown, so no fix.
variable "unknown_key" {
  type = string
}

resource "aws_s3_bucket" "unknown" {
  bucket = "kmsguard-fix-role-statements-unknown"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "unknown" {
  bucket = aws_s3_bucket.unknown.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.unknown_key
    }
    bucket_key_enabled = true
  }
}

resource "aws_iam_role" "unknown_reader" {
  name               = "unknown-reader"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  inline_policy {
    name = "read"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.unknown.arn}/*" }]
    })
  }
}

resource "aws_kms_key" "p365" {
  description = "p365"
  enable_key_rotation     = true
  rotation_period_in_days = 365
}

resource "aws_kms_key" "unset" {
  description = "unset"
  enable_key_rotation = true
}

resource "aws_kms_key" "p90" {
  description = "p90"
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

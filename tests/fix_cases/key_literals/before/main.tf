# Rotation is off unless enable_key_rotation is true (KMS developer guide, "Rotating AWS KMS keys").
resource "aws_kms_key" "unset" {
  description = "rotation not set"
}

resource "aws_kms_key" "off" {
  description         = "rotation off"
  enable_key_rotation = false # turned off on purpose?
}

resource "aws_kms_key" "slow" {
  description             = "rotates too slowly"
  enable_key_rotation     = true
  rotation_period_in_days = 730
}

resource "aws_kms_key" "short_window" {
  enable_key_rotation     = true
  deletion_window_in_days = 3
}

resource "aws_kms_key" "long_window" {
  enable_key_rotation     = true
  deletion_window_in_days = 45
}

resource "aws_kms_key" "empty" {}

resource "aws_kms_key" "fine" {
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

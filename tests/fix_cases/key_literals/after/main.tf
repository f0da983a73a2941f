# Rotation is off unless enable_key_rotation is true (KMS developer guide, "Rotating AWS KMS keys").
resource "aws_kms_key" "unset" {
  description         = "rotation not set"
  enable_key_rotation = true
}

resource "aws_kms_key" "off" {
  description         = "rotation off"
  enable_key_rotation = true # turned off on purpose?
}

resource "aws_kms_key" "slow" {
  description             = "rotates too slowly"
  enable_key_rotation     = true
  rotation_period_in_days = 365
}

resource "aws_kms_key" "short_window" {
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_kms_key" "long_window" {
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_key" "empty" {
  enable_key_rotation = true
}

resource "aws_kms_key" "fine" {
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

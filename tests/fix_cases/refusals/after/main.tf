variable "unknown_rotation" {
  type = bool
}

variable "flags" {
  type    = map(bool)
  default = { rotate = false }
}

resource "aws_kms_key" "no_value" {
  enable_key_rotation = var.unknown_rotation
}

resource "aws_kms_key" "expression" {
  enable_key_rotation = var.flags["rotate"]
}

resource "aws_kms_key" "fixable" {
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

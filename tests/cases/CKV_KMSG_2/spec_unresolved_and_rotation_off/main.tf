variable "key_spec" {
  type = string
}

resource "aws_kms_key" "this" {
  customer_master_key_spec = var.key_spec
  enable_key_rotation      = false
  rotation_period_in_days  = 730
}

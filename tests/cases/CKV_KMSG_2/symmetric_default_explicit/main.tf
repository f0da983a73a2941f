resource "aws_kms_key" "on" {
  description = "on"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = true
}

resource "aws_kms_key" "off" {
  description = "off"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
}

resource "aws_kms_key" "this" {
  description = "this"
  enable_key_rotation     = true
  rotation_period_in_days = 730
}

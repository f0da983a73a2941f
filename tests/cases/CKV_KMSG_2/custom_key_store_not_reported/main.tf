resource "aws_kms_key" "cks" {
  description = "cks"
  custom_key_store_id = "cks-1234567890abcdef0"
}

resource "aws_kms_key" "symmetric" {
  description = "symmetric"
  enable_key_rotation = true
}

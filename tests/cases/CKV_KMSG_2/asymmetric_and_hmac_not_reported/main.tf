resource "aws_kms_key" "rsa" {
  description = "rsa"
  customer_master_key_spec = "RSA_2048"
  key_usage                = "ENCRYPT_DECRYPT"
}

resource "aws_kms_key" "hmac" {
  description = "hmac"
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
}

resource "aws_kms_key" "symmetric" {
  description = "symmetric"
  enable_key_rotation = true
}

resource "aws_kms_key" "primary" {
  description             = "multi-Region primary"
  multi_region            = true
  enable_key_rotation     = true
}

resource "aws_kms_replica_key" "this" {
  primary_key_arn         = aws_kms_key.primary.arn
  deletion_window_in_days = 7
}

resource "aws_kms_external_key" "this" {
  description             = "imported key material"
  deletion_window_in_days = 30
}

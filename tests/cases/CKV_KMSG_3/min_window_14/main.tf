resource "aws_kms_key" "ten" {
  description = "ten"
  deletion_window_in_days = 10
}

resource "aws_kms_key" "fourteen" {
  description = "fourteen"
  deletion_window_in_days = 14
}

resource "aws_kms_key" "unset" {
  description = "unset"
}

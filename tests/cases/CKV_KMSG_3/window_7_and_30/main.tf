resource "aws_kms_key" "seven" {
  description = "seven"
  deletion_window_in_days = 7
}

resource "aws_kms_key" "thirty" {
  description = "thirty"
  deletion_window_in_days = 30
}

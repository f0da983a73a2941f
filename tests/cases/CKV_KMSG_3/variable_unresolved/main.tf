variable "deletion_window" {
  type    = number
}

resource "aws_kms_key" "this" {
  description = "this"
  deletion_window_in_days = var.deletion_window
}

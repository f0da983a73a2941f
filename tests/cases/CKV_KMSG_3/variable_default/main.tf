variable "deletion_window" {
  type    = number
  default = 20
}

resource "aws_kms_key" "this" {
  description = "this"
  deletion_window_in_days = var.deletion_window
}

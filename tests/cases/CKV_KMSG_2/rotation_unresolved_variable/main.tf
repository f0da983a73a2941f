variable "rotate" {
  type = bool
}

resource "aws_kms_key" "this" {
  description = "this"
  enable_key_rotation = var.rotate
}

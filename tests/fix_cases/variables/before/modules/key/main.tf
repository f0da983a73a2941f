variable "rotate" {
  type    = bool
  default = false
}

resource "aws_kms_key" "this" {
  enable_key_rotation = var.rotate
}

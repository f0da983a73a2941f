variable "rotate" {
  type    = bool
  default = true
}

variable "window" {
  type    = number
  default = 30
}

locals {
  period = 365
}

resource "aws_kms_key" "from_default" {
  enable_key_rotation = var.rotate
}

resource "aws_kms_key" "from_tfvars" {
  enable_key_rotation     = true
  deletion_window_in_days = var.window
}

resource "aws_kms_key" "from_local" {
  enable_key_rotation     = true
  rotation_period_in_days = local.period
}

module "passes_literal" {
  source = "./modules/key"
  rotate = true
}

module "uses_default" {
  source = "./modules/key"
  rotate = true
}

module "passes_variable" {
  source = "./modules/key"
  rotate = var.rotate
}

# A 3 day deletion window given to the kms module: AWS (and the provider's
# validation) accept only 7 to 30 days, so `terraform plan` rejects this root.
# The HCL scan must still fail it; the other call shows null stays "unset".
module "short" {
  source = "./modules/kms"

  description             = "too short a window"
  deletion_window_in_days = 3
}

module "too_long" {
  source = "./modules/kms"

  create_external         = true
  description             = "too long a window"
  deletion_window_in_days = 45
}

module "unset" {
  source = "./modules/kms"

  description = "window unset"
}

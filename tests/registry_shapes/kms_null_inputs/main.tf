# cloudposse/kms-key shape with null-default inputs: a null argument is an
# omitted argument (deletion window 30 days, rotation off, no custom key store).

# Every optional input left at its null default.
module "all_null" {
  source = "./modules/key"

  name = "kmsguard-null-defaults"
}

# Rotation on with a 180 day period; the deletion window is still null.
module "rotating" {
  source = "./modules/key"

  name                    = "kmsguard-null-rotating"
  enable_key_rotation     = true
  rotation_period_in_days = 180
}

# A key in a custom key store: AWS cannot rotate it, CKV_KMSG_2 does not judge it.
module "hsm" {
  source = "./modules/key"

  name                = "kmsguard-null-hsm"
  custom_key_store_id = "cks-1234567890abcdef0"
}

# enabled = false: the module creates nothing.
module "disabled" {
  source = "./modules/key"

  enabled = false
  name    = "kmsguard-null-disabled"
}

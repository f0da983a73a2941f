# terraform-aws-modules/kms shapes: one module source, five calls. Each call
# creates at most one of the four key resources; the other three have count 0.

# Default inputs: deletion_window_in_days, rotation_period_in_days,
# custom_key_store_id, customer_master_key_spec are null (omitted), and
# enable_key_rotation defaults to true.
module "kms_default" {
  source = "./modules/kms"

  description = "default inputs"
  aliases     = ["kmsguard/shapes/default"]
}

# create = false: nothing at all is created.
module "kms_disabled" {
  source = "./modules/kms"

  create      = false
  description = "never created"
  aliases     = ["kmsguard/shapes/disabled"]
}

# Rotation explicitly off: only this call's key fails CKV_KMSG_2.
module "kms_no_rotation" {
  source = "./modules/kms"

  description             = "rotation off"
  enable_key_rotation     = false
  deletion_window_in_days = 7
}

# Imported key material: aws_kms_external_key (no automatic rotation in AWS).
module "kms_external" {
  source = "./modules/kms"

  create_external         = true
  description             = "external key material"
  deletion_window_in_days = 20
}

# Multi-Region replica of the default key (window null: omitted, 30 days).
module "kms_replica" {
  source = "./modules/kms"

  create_replica  = true
  description     = "replica of kms_default"
  primary_key_arn = module.kms_default.key_arn
}

# Replica of an external multi-Region key with a 7 day window.
module "kms_replica_external" {
  source = "./modules/kms"

  create_replica_external  = true
  description              = "replica of an external key"
  primary_external_key_arn = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
  deletion_window_in_days  = 7
}

module "s3" {
  source      = "./modules/s3"
  kms_key_arn = "alias/aws/s3"
}

module "s3" {
  source = "./modules/s3"
}

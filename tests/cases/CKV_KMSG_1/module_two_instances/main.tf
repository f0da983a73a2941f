resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

module "good" {
  source      = "./modules/s3"
  kms_key_arn = aws_kms_key.this.arn
}

module "bad" {
  source      = "./modules/s3"
  kms_key_arn = "alias/aws/s3"
}

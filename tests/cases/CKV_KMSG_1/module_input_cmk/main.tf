resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

module "s3" {
  source      = "./modules/s3"
  kms_key_arn = aws_kms_key.this.arn
}

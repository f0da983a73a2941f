resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

module "s3" {
  for_each = {
    good = aws_kms_key.this.arn
    bad  = "alias/aws/s3"
  }
  source      = "./modules/s3"
  kms_key_arn = each.value
}

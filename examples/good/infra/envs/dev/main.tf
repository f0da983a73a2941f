data "aws_caller_identity" "current" {}

# Build artifacts: a bucket with its own customer-managed key (see the module).
module "s3" {
  source = "../../modules/s3"

  bucket_name     = "acme-dev-artifacts"
  key_description = "acme dev: build artifacts"
  tags = {
    Team = "platform"
  }
}

# Build artifacts: the module's own customer-managed key, but this environment
# turns S3 Bucket Keys off and shortens the key's deletion window to 10 days
# (allowed by the default minimum of 7, not by a production minimum of 14).
module "s3" {
  source = "../../modules/s3"

  bucket_name              = "acme-dev-artifacts"
  key_description          = "acme dev: build artifacts"
  key_deletion_window_days = 10
  bucket_key_enabled       = false
}

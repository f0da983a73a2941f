output "artifacts_bucket_arn" {
  value = module.s3.bucket_arn
}

output "artifacts_key_arn" {
  value = module.s3.key_arn
}

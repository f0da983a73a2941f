output "artifacts_bucket_arn" {
  value = module.s3.bucket_arn
}

output "artifacts_key_arn" {
  value = module.s3.key_arn
}

output "data_lake_bucket_arns" {
  value = { for zone, bucket in aws_s3_bucket.data_lake : zone => bucket.arn }
}

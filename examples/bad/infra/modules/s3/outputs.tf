output "bucket_id" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "key_arn" {
  description = "ARN of the bucket's customer-managed KMS key."
  value       = aws_kms_key.this.arn
}

output "key_alias" {
  description = "Alias name of the bucket's KMS key."
  value       = aws_kms_alias.this.name
}

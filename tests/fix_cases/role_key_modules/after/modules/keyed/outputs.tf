output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}

output "key_arn" {
  description = "ARN of the KMS key aws_kms_key.this."
  value       = aws_kms_key.this.arn
}

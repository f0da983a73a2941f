resource "aws_s3_bucket" "this" {
  bucket_prefix = "kmsguard-module-"
}

output "bucket_id" {
  value = aws_s3_bucket.this.id
}

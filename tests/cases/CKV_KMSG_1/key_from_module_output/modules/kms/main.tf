resource "aws_kms_key" "this" {
  description         = "bucket key"
  enable_key_rotation = true
}

output "key_arn" {
  value = aws_kms_key.this.arn
}

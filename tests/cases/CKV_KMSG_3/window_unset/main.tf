resource "aws_kms_key" "this" {
  description = "this"
}

resource "aws_s3_bucket" "this" {
  bucket = "kmsguard-this"
  #checkov:skip=CKV2_KMSG_1:public website bucket
}

variable "name" {
  description = "Bucket name."
  type        = string
}

variable "encryption" {
  description = "Default encryption: { sse_algorithm, kms_key_arn, bucket_key_enabled }, or { rules = [those] }."
  type        = any
  default     = {}
}

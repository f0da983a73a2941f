variable "enabled" {
  description = "Set to false to prevent the module from creating any resources"
  type        = bool
  default     = null
}

variable "bucket_name" {
  type = string
}

variable "force_destroy" {
  type    = bool
  default = false
}

variable "expected_bucket_owner" {
  type    = string
  default = null
}

variable "sse_algorithm" {
  type        = string
  default     = "AES256"
  description = "The server-side encryption algorithm to use. Valid values are `AES256`, `aws:kms`, and `aws:kms:dsse`"
}

variable "kms_master_key_arn" {
  type        = string
  default     = null
  description = "The AWS KMS master key ARN used for the `SSE-KMS` encryption. The default aws/s3 AWS KMS master key is used if this element is absent while the `sse_algorithm` is `aws:kms`"
}

variable "bucket_key_enabled" {
  type    = bool
  default = false
}

variable "logging" {
  type = object({
    bucket_name = string
    prefix      = string
  })
  default = null
}

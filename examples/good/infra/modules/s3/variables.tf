variable "bucket_name" {
  description = "Name of the bucket to create."
  type        = string
}

variable "key_description" {
  description = "Description of the bucket's customer-managed KMS key."
  type        = string
  default     = "Default encryption key for an S3 bucket"
}

variable "key_deletion_window_days" {
  description = "Days KMS waits before deleting the key after it is scheduled for deletion (7-30)."
  type        = number
  default     = 30
}

variable "key_rotation_period_days" {
  description = "Days between automatic rotations of the key material (90-2560)."
  type        = number
  default     = 365
}

variable "bucket_key_enabled" {
  description = "Use S3 Bucket Keys to cut KMS request costs."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

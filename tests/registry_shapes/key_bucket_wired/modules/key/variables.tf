variable "enabled" {
  description = "Set to false to prevent the module from creating any resources"
  type        = bool
  default     = null
}

variable "name" {
  type = string
}

variable "alias" {
  type    = string
  default = ""
}

variable "deletion_window_in_days" {
  description = "Duration in days after which the key is deleted after destruction of the resource"
  type        = number
  default     = null
}

variable "enable_key_rotation" {
  description = "Specifies whether key rotation is enabled"
  type        = bool
  default     = null
}

variable "rotation_period_in_days" {
  type    = number
  default = null
}

variable "policy" {
  type    = string
  default = null
}

variable "description" {
  type    = string
  default = "Parameter Store KMS master key"
}

variable "key_usage" {
  type    = string
  default = "ENCRYPT_DECRYPT"
}

variable "customer_master_key_spec" {
  type    = string
  default = "SYMMETRIC_DEFAULT"
}

variable "custom_key_store_id" {
  type    = string
  default = null
}

variable "multi_region" {
  type    = bool
  default = false
}

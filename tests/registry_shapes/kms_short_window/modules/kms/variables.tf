variable "create" {
  description = "Determines whether resources will be created (affects all resources)"
  type        = bool
  default     = true
}

variable "create_external" {
  description = "Determines whether an external CMK (externally provided material) will be created or a standard CMK (AWS provided material)"
  type        = bool
  default     = false
}

variable "create_replica" {
  description = "Determines whether a replica standard CMK will be created (AWS provided material)"
  type        = bool
  default     = false
}

variable "create_replica_external" {
  description = "Determines whether a replica external CMK will be created (externally provided material)"
  type        = bool
  default     = false
}

variable "bypass_policy_lockout_safety_check" {
  type    = bool
  default = null
}

variable "customer_master_key_spec" {
  type    = string
  default = null
}

variable "custom_key_store_id" {
  description = "ID of the KMS Custom Key Store where the key will be stored instead of KMS (eg CloudHSM)."
  type        = string
  default     = null
}

variable "deletion_window_in_days" {
  description = "The waiting period, specified in number of days. Must be between 7 and 30, inclusive. If you do not specify a value, it defaults to 30"
  type        = number
  default     = null
}

variable "description" {
  type    = string
  default = null
}

variable "enable_key_rotation" {
  description = "Specifies whether key rotation is enabled. Defaults to `true`"
  type        = bool
  default     = true
}

variable "rotation_period_in_days" {
  type    = number
  default = null
}

variable "is_enabled" {
  type    = bool
  default = null
}

variable "key_material_base64" {
  type    = string
  default = null
}

variable "key_usage" {
  type    = string
  default = null
}

variable "multi_region" {
  type    = bool
  default = null
}

variable "policy" {
  type    = string
  default = null
}

variable "valid_to" {
  type    = string
  default = null
}

variable "primary_key_arn" {
  type    = string
  default = null
}

variable "primary_external_key_arn" {
  type    = string
  default = null
}

variable "aliases" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "region" {
  description = "AWS region of the dev environment."
  type        = string
  default     = "eu-west-1"
}

# Set per workspace in a tfvars file that is not in the repository, so a scan
# of the code alone cannot tell which key it is.
variable "shared_kms_key_arn" {
  description = "ARN of the KMS key shared by the platform team."
  type        = string
}

variable "region" {
  description = "AWS region of the dev environment."
  type        = string
  default     = "eu-west-1"
}

"""Readers: Terraform (through tfparse), plan JSON and CloudFormation templates into the model."""

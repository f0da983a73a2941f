"""Adapters: the Checkov side of the checks (the base class, the Terraform and CloudFormation scans)."""

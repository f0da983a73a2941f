"""Well-known AWS managed policies, as far as S3 and KMS go: data, not logic.

Statements as in the IAM console (policy versions of 2024), cut down to their
Effect and Action/NotAction; every one has Resource "*". An AWS managed
policy not listed here is assumed to grant no S3 object access (most are
service-scoped), and a PASSED result says so.
"""
from __future__ import annotations

STATEMENTS: dict[str, list[dict[str, object]]] = {
    "AdministratorAccess": [
        {"Effect": "Allow", "Action": ["*"]},
    ],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"]},
    ],
    "AmazonS3FullAccess": [
        {"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"]},
    ],
    "AmazonS3ReadOnlyAccess": [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:Describe*",
                                       "s3-object-lambda:Get*", "s3-object-lambda:List*"]},
    ],
    "AWSLambdaExecute": [
        {"Effect": "Allow", "Action": ["logs:*"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]},
    ],
}

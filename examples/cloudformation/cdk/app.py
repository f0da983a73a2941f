"""A small CDK app: an SSE-KMS report bucket with its own key, and two Lambda functions that read it.

``ReaderOk`` is granted read access with ``bucket.grant_read``, which adds
``kms:Decrypt`` on the bucket's key. ``ReaderMissingKms`` gets only an
``s3:GetObject`` statement, the AccessDenied that CKV2_KMSG_2 reports.
Synthesised by ``synth.sh`` into cdk.out/KmsguardCdkExample.template.json.
"""
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


class ReportsStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = kms.Key(self, "ReportsKey", description="acme dev CDK reports", enable_key_rotation=True,
                      alias="alias/acme-dev-cdk-reports")
        bucket = s3.Bucket(self, "ReportsBucket", bucket_name="acme-dev-cdk-reports",
                           encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=True,
                           block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True)

        reader_ok = self._function("ReaderOk")
        bucket.grant_read(reader_ok)  # s3:GetObject* and kms:Decrypt on the key

        reader_missing_kms = self._function("ReaderMissingKms")
        reader_missing_kms.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[bucket.arn_for_objects("*")]))

    def _function(self, name: str) -> lambda_.Function:
        return lambda_.Function(self, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline(HANDLER))


def main(outdir: str) -> None:
    app = cdk.App(outdir=outdir, analytics_reporting=False)
    ReportsStack(app, "KmsguardCdkExample")
    app.synth()


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "cdk.out")

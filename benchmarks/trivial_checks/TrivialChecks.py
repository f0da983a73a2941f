"""Six checks that judge nothing, on the resource types the pack's six checks cover (benchmark config t).

Each returns PASSED with a one-line detail, so a full scan with them pays
only what Checkov itself charges per result (running a check, the record,
the report across processes, the JSON): the floor for any pack that reports
on these resources. d - t is then what the pack's own work adds.
"""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

BUCKET, CONFIG = "aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"
TYPES = {
    "CKV_TRIVIAL_1": [BUCKET, CONFIG],
    "CKV_TRIVIAL_2": ["aws_kms_key"],
    "CKV_TRIVIAL_3": ["aws_kms_key"],
    "CKV_TRIVIAL_4": [BUCKET, CONFIG],
    "CKV2_TRIVIAL_1": [BUCKET],
    "CKV2_TRIVIAL_2": ["aws_iam_role"],
}


class TrivialCheck(BaseResourceCheck):
    def __init__(self, check_id: str, resources: list[str]) -> None:
        super().__init__(name=f"Trivial check {check_id}", id=check_id, categories=[CheckCategories.ENCRYPTION],
                         supported_resources=resources,
                         guideline=f"https://github.com/kmsguard/kmsguard/blob/main/docs/checks/{check_id}.md")

    def scan_resource_conf(self, conf):
        self.details.append("a detail of about the length of one of the pack's, one sentence long")
        return CheckResult.PASSED


checks = [TrivialCheck(check_id, resources) for check_id, resources in TYPES.items()]

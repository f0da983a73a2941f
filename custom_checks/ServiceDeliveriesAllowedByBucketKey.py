"""CKV2_KMSG_3: AWS services that deliver into an SSE-KMS bucket may use the key they write with."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.rules.delivery_access import judge_delivery
from kmsguard.rules.service_deliveries import DELIVERING_TYPES, deliveries


class ServiceDeliveriesAllowedByBucketKey(KmsguardCheck):
    ID = "CKV2_KMSG_3"
    NAME = "Ensure AWS services that deliver into SSE-KMS buckets are allowed to use the key by its key policy"
    RESOURCES = DELIVERING_TYPES
    EVALUATED_KEYS = ("target_bucket", "logging", "s3_bucket_name", "kms_key_id", "log_destination",
                      "access_logs", "destination", "storage_class_analysis", "log_destination_configs",
                      "s3_kms_key_arn")

    def evaluate(self, block, graph):
        found = deliveries(block, graph)
        if not found:
            return Verdict.not_applicable()  # no delivery, no result
        problems, passes, intents = [], [], []
        for delivery in found:
            outcome = judge_delivery(delivery, graph)
            problems += outcome.problems
            passes += outcome.passes
            intents += outcome.intents
            passes += delivery.notes
        if problems:
            return Verdict.failed(*dict.fromkeys(problems), intents=intents)
        return Verdict.passed(*dict.fromkeys(passes))


check = ServiceDeliveriesAllowedByBucketKey()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

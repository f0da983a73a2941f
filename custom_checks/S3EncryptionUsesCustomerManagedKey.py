"""CKV_KMSG_1: an S3 encryption configuration uses SSE-KMS (or DSSE-KMS) with a customer-managed key."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.rules.bucket_index import bucket_index, log_target_verdict
from kmsguard.rules.migration import migration_intents
from kmsguard.rules.s3_encryption import (
    BUCKET,
    ENCRYPTION_CONFIG,
    EncryptionConfig,
    block_rules,
    has_inline,
)


class S3EncryptionUsesCustomerManagedKey(KmsguardCheck):
    ID = "CKV_KMSG_1"
    NAME = "Ensure S3 default encryption uses SSE-KMS with a customer-managed KMS key"
    RESOURCES = (BUCKET, ENCRYPTION_CONFIG)
    EVALUATED_KEYS = ("rule/[0]/apply_server_side_encryption_by_default/[0]/sse_algorithm",
                      "rule/[0]/apply_server_side_encryption_by_default/[0]/kms_master_key_id",
                      "server_side_encryption_configuration")

    def evaluate(self, owner, graph):
        inline = owner.type == BUCKET
        if inline and not has_inline(owner.config):
            return Verdict.not_applicable()  # no inline block: CKV2_KMSG_1 judges the bucket
        index = bucket_index(graph)
        rules = block_rules(graph, owner, inline)
        buckets = [owner] if inline else index.buckets_of(owner)
        deliveries = [delivery for bucket in buckets for delivery in index.deliveries_of(bucket)]
        if deliveries:
            ok, detail = log_target_verdict(rules, deliveries, owner)
            return Verdict.passed(detail) if ok else Verdict.failed(detail, intents=_intents(buckets, graph))
        problems = EncryptionConfig(owner.address, rules).problems
        if problems:
            return Verdict.failed(*problems, intents=_intents(buckets, graph))
        return Verdict.passed(*(rule.summary for rule in rules))


def _intents(buckets, graph):
    # The same migration CKV2_KMSG_1 asks for, per bucket this configuration encrypts; all of them or none.
    found = [migration_intents(bucket, graph) for bucket in buckets]
    return [i for intents in found for i in intents] if buckets and all(found) else []


check = S3EncryptionUsesCustomerManagedKey()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

"""CKV2_KMSG_1: a bucket's effective default encryption is SSE-KMS (or DSSE-KMS) with a customer-managed key."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.model.values import attribute_name, describe, framework_of, how_to_provide
from kmsguard.rules.bucket_index import bucket_index, log_target_verdict
from kmsguard.rules.migration import migration_intents
from kmsguard.rules.s3_encryption import (
    BUCKET,
    INLINE,
    EncryptionConfig,
    block_rules,
    has_inline,
)


class S3BucketEncryptedWithCustomerManagedKey(KmsguardCheck):
    ID = "CKV2_KMSG_1"
    NAME = "Ensure each S3 bucket's default encryption is SSE-KMS with a customer-managed KMS key"
    RESOURCES = (BUCKET,)
    EVALUATED_KEYS = ("bucket", "server_side_encryption_configuration", "logging")

    def evaluate(self, bucket, graph):
        index = bucket_index(graph)
        configs = []
        if has_inline(bucket.config):
            where = f"inline {INLINE}" if framework_of(bucket) != "cloudformation" else attribute_name(bucket, INLINE)
            configs.append(EncryptionConfig(f"{bucket.address} ({where})", block_rules(graph, bucket, True)))
        for block in index.configs_of(bucket):
            configs.append(EncryptionConfig(block.address, block_rules(graph, block, False)))
        deliveries = index.deliveries_of(bucket)
        unlinked = index.unlinked_near(bucket) if not configs else []
        if deliveries and not unlinked:
            ok, detail = log_target_verdict([rule for c in configs for rule in c.rules], deliveries, bucket)
            return Verdict.passed(detail) if ok else Verdict.failed(detail, intents=migration_intents(bucket, graph))
        if unlinked:
            # A configuration exists but names its bucket by a value the scan cannot know: it may be this one.
            return Verdict.failed(*(
                f"no encryption configuration is linked to this bucket: {config.address} names its bucket by "
                f"{describe(value)}, which is {how_to_provide(config, value) if value is not None else 'not set'}, "
                "so kmsguard cannot tell whether it is this bucket's" for config, value in unlinked))
        if not configs:
            return Verdict.failed(f"no default encryption configuration: S3 applies SSE-S3 with an Amazon-owned key. "
                                  f"{_add_encryption(bucket)}", intents=migration_intents(bucket, graph))
        problems = [problem for config in configs for problem in config.problems]
        if problems:
            return Verdict.failed(*problems, intents=migration_intents(bucket, graph))
        return Verdict.passed(*(f"{c.source}: {r.summary}" for c in configs for r in c.rules))


def _add_encryption(bucket) -> str:
    if framework_of(bucket) == "cloudformation":
        return ("Add BucketEncryption with SSEAlgorithm: aws:kms and KMSMasterKeyID set to a customer-managed key "
                "(for example !GetAtt Key.Arn)")
    return ("Add an aws_s3_bucket_server_side_encryption_configuration for it with sse_algorithm = \"aws:kms\" "
            "and kms_master_key_id set to a customer-managed key")


check = S3BucketEncryptedWithCustomerManagedKey()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

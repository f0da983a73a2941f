"""CKV_KMSG_4: SSE-KMS encryption rules turn on S3 Bucket Keys, which cut KMS request costs by up to 99%."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.model.fix_intents import SetAttribute
from kmsguard.model.values import as_bool, attribute_name, attribute_setting, describe, how_to_provide, is_unresolved
from kmsguard.rules.s3_encryption import BUCKET, ENCRYPTION_CONFIG, judge_rules


class S3BucketKeyEnabled(KmsguardCheck):
    ID = "CKV_KMSG_4"
    NAME = "Ensure SSE-KMS S3 encryption rules enable S3 Bucket Keys"
    RESOURCES = (BUCKET, ENCRYPTION_CONFIG)
    EVALUATED_KEYS = ("rule/[0]/bucket_key_enabled", "server_side_encryption_configuration")
    SEVERITY = "LOW"

    def evaluate(self, block, model):
        # Bucket Keys exist for aws:kms only; S3 does not support them with DSSE-KMS.
        inline = block.type == BUCKET
        judged = judge_rules(block.config, inline, None, None)
        rules = [r for r in judged if r.algorithm == "aws:kms"]
        if not rules:
            return Verdict.not_applicable()
        problems, intents = [], []
        prefix = ("server_side_encryption_configuration", 0) if inline else ()
        for index, rule in enumerate(judged):
            if rule.algorithm != "aws:kms":
                continue
            enabled = as_bool(rule.bucket_key_enabled)
            if enabled is None and rule.bucket_key_enabled is not None:
                value = rule.bucket_key_enabled
                why = how_to_provide(block, value) if is_unresolved(value) else "not true or false"
                problems.append(f"{attribute_name(block, 'bucket_key_enabled')} {describe(value)} is {why}")
            elif not enabled:
                problems.append(f"an aws:kms rule does not set {attribute_setting(block, 'bucket_key_enabled', True)}")
                intents.append(SetAttribute(block, (*prefix, "rule", index, "bucket_key_enabled"), True,
                                            "turn S3 Bucket Keys on"))
        if problems and len(intents) < len(problems):
            intents = []  # an unknown value is left to a person, and so is the rest of this resource
        return Verdict.failed(*problems, intents=intents) if problems else Verdict.passed()


check = S3BucketKeyEnabled()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

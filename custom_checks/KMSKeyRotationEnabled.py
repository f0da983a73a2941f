"""CKV_KMSG_2: symmetric KMS keys rotate automatically, at least as often as the policy maximum."""
from kmsguard.check import KmsguardCheck, Verdict
from kmsguard.cloudformation_adapter import cloudformation_twin
from kmsguard.references import as_bool, as_int, describe, is_unresolved, unwrap
from kmsguard.settings import MAX_ROTATION_PERIOD

AWS_DEFAULT_ROTATION_DAYS = 365


class KMSKeyRotationEnabled(KmsguardCheck):
    ID = "CKV_KMSG_2"
    NAME = "Ensure KMS keys rotate automatically within the maximum rotation period"
    RESOURCES = ("aws_kms_key",)
    EVALUATED_KEYS = ("enable_key_rotation", "rotation_period_in_days", "customer_master_key_spec", "custom_key_store_id")
    SETTINGS = (MAX_ROTATION_PERIOD,)

    def evaluate(self, block, model):
        conf = block.config
        spec = unwrap(conf.get("customer_master_key_spec"))
        if spec not in (None, "SYMMETRIC_DEFAULT"):
            if is_unresolved(spec) or not isinstance(spec, str):
                return Verdict.failed(f"customer_master_key_spec is {describe(spec)}, which could not be resolved")
            return Verdict.not_applicable()  # AWS rotates only symmetric keys
        if unwrap(conf.get("custom_key_store_id")):
            return Verdict.not_applicable()  # keys in custom key stores cannot rotate automatically
        maximum = MAX_ROTATION_PERIOD.read()
        raw = unwrap(conf.get("enable_key_rotation"))
        enabled = as_bool(raw)
        if raw is None:
            return Verdict.failed("enable_key_rotation is not set, and AWS does not rotate keys by default")
        if enabled is None:
            return Verdict.failed(f"enable_key_rotation is {describe(raw)}, which could not be resolved")
        if not enabled:
            return Verdict.failed("enable_key_rotation is false")
        raw_period = unwrap(conf.get("rotation_period_in_days"))
        period = AWS_DEFAULT_ROTATION_DAYS if raw_period is None else as_int(raw_period)
        if period is None:
            return Verdict.failed(f"rotation_period_in_days is {describe(raw_period)}, which could not be resolved")
        if period > maximum:
            unset = " (unset, AWS uses 365)" if raw_period is None else ""
            return Verdict.failed(f"rotation period {period} days{unset} is longer than the maximum of {maximum} days")
        return Verdict.passed(f"rotates every {period} days (maximum {maximum})")


check = KMSKeyRotationEnabled()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

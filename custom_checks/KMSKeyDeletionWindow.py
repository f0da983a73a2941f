"""CKV_KMSG_3: KMS keys keep a deletion window of at least the policy minimum."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.model.fix_intents import SetAttribute
from kmsguard.model.values import as_int, attribute_name, describe, how_to_provide, is_unresolved, unwrap
from kmsguard.settings import MIN_DELETION_WINDOW

AWS_DEFAULT_WINDOW_DAYS = 30


class KMSKeyDeletionWindow(KmsguardCheck):
    ID = "CKV_KMSG_3"
    NAME = "Ensure KMS keys keep a deletion window of at least the minimum number of days"
    RESOURCES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key")
    EVALUATED_KEYS = ("deletion_window_in_days",)
    SETTINGS = (MIN_DELETION_WINDOW,)

    def evaluate(self, block, model):
        conf = block.config
        minimum = MIN_DELETION_WINDOW.read()
        raw = unwrap(conf.get("deletion_window_in_days"))
        name = attribute_name(block, "deletion_window_in_days")  # PendingWindowInDays on a template
        if raw is None:
            return Verdict.passed(f"{name} is unset, so AWS uses {AWS_DEFAULT_WINDOW_DAYS} days")
        days = as_int(raw)
        if days is None:
            why = how_to_provide(block, raw) if is_unresolved(raw) else "not a whole number of days"
            return Verdict.failed(f"{name} {describe(raw)} is {why}")
        if days < minimum:
            return Verdict.failed(f"deletion window of {days} days is shorter than the minimum of {minimum} days",
                                  intents=[SetAttribute(block, ("deletion_window_in_days",), minimum,
                                                        f"deletion window {days} -> {minimum} days")])
        if days > AWS_DEFAULT_WINDOW_DAYS:
            return Verdict.failed(f"deletion window of {days} days is outside AWS's range of 7 to 30 days",
                                  intents=[SetAttribute(block, ("deletion_window_in_days",), AWS_DEFAULT_WINDOW_DAYS,
                                                        f"deletion window {days} -> {AWS_DEFAULT_WINDOW_DAYS} days")])
        return Verdict.passed(f"deletion window of {days} days (minimum {minimum})")


check = KMSKeyDeletionWindow()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

"""CKV_KMSG_2: symmetric KMS keys rotate automatically, at least as often as the policy maximum."""
from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.model.fix_intents import SetAttribute
from kmsguard.model.values import as_bool, as_int, attribute_name, describe, how_to_provide, is_unresolved, unwrap
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
        problems = []  # every problem of the key, not only the first
        intents = []  # what `kmsguard fix` sets; a problem without one (an unknown value) is left to a person
        rotation, period_name, spec_name = (attribute_name(block, n) for n in (  # the source's own words
            "enable_key_rotation", "rotation_period_in_days", "customer_master_key_spec"))
        spec = unwrap(conf.get("customer_master_key_spec"))
        if spec not in (None, "SYMMETRIC_DEFAULT"):
            if not (is_unresolved(spec) or not isinstance(spec, str)):
                return Verdict.not_applicable()  # AWS rotates only symmetric keys
            # Rotation may not apply, but if the key is symmetric the settings below decide: report both.
            problems.append(f"{spec_name} {describe(spec)} is {self._unknown(block, spec)}, so kmsguard "
                            "cannot tell whether the key is symmetric (only symmetric keys rotate)")
        if unwrap(conf.get("custom_key_store_id")):
            return Verdict.not_applicable()  # keys in custom key stores cannot rotate automatically
        maximum = MAX_ROTATION_PERIOD.read()
        raw = unwrap(conf.get("enable_key_rotation"))
        enabled = as_bool(raw)
        if raw is None:
            problems.append(f"{rotation} is not set, and AWS does not rotate keys by default")
        elif enabled is None:
            problems.append(f"{rotation} {describe(raw)} is {self._unknown(block, raw)}")
        elif not enabled:
            problems.append(f"{rotation} is false")
        intents += [SetAttribute(block, ("enable_key_rotation",), True, "turn key rotation on")] \
            if raw is None or enabled is False else []
        raw_period = unwrap(conf.get("rotation_period_in_days"))
        period = AWS_DEFAULT_ROTATION_DAYS if raw_period is None else as_int(raw_period)
        if period is None:
            problems.append(f"{period_name} {describe(raw_period)} is {self._unknown(block, raw_period)}")
        elif period > maximum and (raw_period is not None or (raw is not None and enabled is not False)):
            unset = " (unset, AWS uses 365)" if raw_period is None else ""
            problems.append(f"rotation period {period} days{unset} is longer than the maximum of {maximum} days")
            intents.append(SetAttribute(block, ("rotation_period_in_days",), maximum,
                                        f"rotation period {period} -> {maximum} days"))
        if problems:
            # Half a fix is none: with an unknown value left, the fixer changes nothing on this key.
            whole = len(intents) == len(problems)
            return Verdict.failed(*problems, intents=intents if whole else [])
        return Verdict.passed(f"rotates every {period} days (maximum {maximum})")

    @staticmethod
    def _unknown(block, value):
        if isinstance(value, str) and is_unresolved(value):
            return how_to_provide(block, value)
        return "not a value kmsguard can read"


check = KMSKeyRotationEnabled()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

"""CKV2_KMSG_2: a role that reads or writes objects of an SSE-KMS bucket holds the KMS permissions its key needs."""
import json

from checkov.common.models.enums import CheckCategories

from kmsguard.check import KmsguardCheck, Verdict
from kmsguard.cloudformation_adapter import cloudformation_twin
from kmsguard.encrypted_buckets import key_label
from kmsguard.key_access import access_to_key
from kmsguard.kms_needs import needs_of
from kmsguard.role_policies import ROLE, assumptions_of

MAX_LISTED = 10  # keep details readable for roles that reach every bucket through "*"


class IAMRoleHasKMSPermissionsForBuckets(KmsguardCheck):
    ID = "CKV2_KMSG_2"
    NAME = "Ensure IAM roles that use SSE-KMS buckets hold the KMS permissions their keys need"
    RESOURCES = (ROLE,)
    EVALUATED_KEYS = ("inline_policy", "managed_policy_arns", "name")
    CATEGORY = CheckCategories.IAM

    def evaluate(self, role, graph):
        needs, problems = needs_of(role, graph)
        failures, broad = [], False
        for need in needs:
            access = access_to_key(role, need, graph)
            broad = broad or access.only_star
            problems += [problem for problem in access.problems if problem not in problems]
            if access.missing:
                failures.append((need, access))
        details = [self._describe(need, access) for need, access in failures[:MAX_LISTED]]
        if len(failures) > MAX_LISTED:
            details.append(f"... and {len(failures) - MAX_LISTED} more bucket/key pairs")
        details += [f"could not read: {problem}" for problem in problems]
        if problems and not failures:
            details.append("kmsguard cannot tell whether this role lacks KMS permissions until these policies can be read")
        if details:
            return Verdict.failed(*details)
        notes = assumptions_of(role, graph)
        if not needs:
            return Verdict.passed("uses no object of an SSE-KMS bucket in this scan", *notes)
        if broad:
            notes.append("KMS access comes from Resource \"*\", broader than the keys it needs")
        return Verdict.passed(f"holds the KMS permissions for {len(needs)} bucket/key pair(s)", *notes)

    @staticmethod
    def _describe(need, access):
        key = key_label(need.key)
        problem = (
            f"{need.bucket}: {' and '.join(sorted(need.because))}, encrypted with {key}, but the role lacks "
            f"{', '.join(access.missing)} on that key, so S3 answers AccessDenied"
        )
        if access.iam_ignored:
            # The key policy does not delegate to IAM: only the key policy itself can grant.
            statement = {"Effect": "Allow", "Principal": {"AWS": "<ARN of this role>"}, "Action": access.missing,
                         "Resource": "*"}
            return (f"{problem}. The key policy of {key} does not let IAM policies grant "
                    f"{', '.join(access.iam_ignored)} (no statement for the account root). "
                    f"Add to the key policy: {json.dumps(statement)}")
        arn = need.key if isinstance(need.key, str) else f"<ARN of {key}>"  # a literal key ARN is its own ARN
        statement = {"Effect": "Allow", "Action": access.missing, "Resource": arn}
        return f"{problem}. Add to the role's policy: {json.dumps(statement)}"


check = IAMRoleHasKMSPermissionsForBuckets()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

"""CKV2_KMSG_2: a role that reads or writes objects of an SSE-KMS bucket holds the KMS permissions its key needs."""
from checkov.common.models.enums import CheckCategories

from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.rules.encrypted_buckets import UnknownKey, key_label
from kmsguard.rules.key_access import Access, access_to_key
from kmsguard.rules.kms_needs import needs_and_notes
from kmsguard.rules.remediation_statements import dumps, key_policy_statement, role_statement
from kmsguard.rules.role_policies import ROLE, assumptions_of

MAX_LISTED = 10  # keep details readable for roles that reach every bucket through "*"


class IAMRoleHasKMSPermissionsForBuckets(KmsguardCheck):
    ID = "CKV2_KMSG_2"
    NAME = "Ensure IAM roles that use SSE-KMS buckets hold the KMS permissions their keys need"
    RESOURCES = (ROLE,)
    EVALUATED_KEYS = ("inline_policy", "managed_policy_arns", "name")
    CATEGORY = CheckCategories.IAM

    def evaluate(self, role, graph):
        needs, problems, notes = needs_and_notes(role, graph)
        failures, broad = [], False
        for need in needs:
            access = access_to_key(role, need, graph)
            broad = broad or access.only_star
            problems += [problem for problem in access.problems if problem not in problems]
            if access.missing:
                failures.append((need, access))
        details = [self._describe(role, need, access, graph) for need, access in failures[:MAX_LISTED]]
        if len(failures) > MAX_LISTED:
            details.append(f"... and {len(failures) - MAX_LISTED} more bucket/key pairs")
        details += [f"could not read: {problem}" for problem in problems]
        if problems and not failures:
            details.append("kmsguard cannot tell whether this role lacks KMS permissions until these policies can be read")
        if details:
            return Verdict.failed(*details)
        notes = assumptions_of(role, graph) + notes
        if not needs:
            return Verdict.passed("uses no object of an SSE-KMS bucket in this scan", *notes)
        if broad:
            notes.append("KMS access comes from Resource \"*\", broader than the keys it needs")
        return Verdict.passed(f"holds the KMS permissions for {len(needs)} bucket/key pair(s)", *notes)

    def _describe(self, role, need, access, graph):
        because = " and ".join(sorted(need.because))
        missing = ", ".join(access.missing)
        if isinstance(need.key, UnknownKey):
            what = (f"the default encryption of {need.key.bucket} could not be read ({need.key.description})"
                    if need.key.bucket else need.key.description)
            return (f"{need.bucket}: {because}, but kmsguard cannot tell which key protects it, so it cannot check "
                    f"the role's {missing} on that key: {what}; see {self.guideline}")
        key = key_label(need.key)
        if need.bucket.startswith("replication "):
            problem = (f"{need.bucket}: {because} with {key}, but the role lacks {missing} on that key, "
                       "so S3 cannot replicate those objects")
        else:
            problem = (f"{need.bucket}: {because}, encrypted with {key}, but the role lacks {missing} on that key, "
                       "so S3 answers AccessDenied")
        if access.request_alias:
            problem += (f" (a statement allows {', '.join(access.request_alias)} only when the request names the alias "
                        "(kms:RequestAlias); S3 decrypts with the key ID from the object's metadata, so use "
                        "kms:ResourceAliases instead)")
        if access.denied:
            # An Allow cannot undo an explicit Deny (IAM user guide, "Policy evaluation logic").
            sources = ", ".join(dict.fromkeys(src for found in access.denied.values() for src in found))
            problem += f". An explicit Deny of {', '.join(access.denied)} in {sources} overrides any Allow: narrow it"
            allowable = [a for a in access.missing if a not in access.denied]
            if not allowable:
                return problem
            access = Access(missing=allowable, iam_ignored=[a for a in access.iam_ignored if a in allowable])
        if access.iam_ignored:
            # The key policy does not delegate to IAM: only the key policy itself can grant.
            reason = (f"{problem}. The key policy of {key} does not let IAM policies grant "
                      f"{', '.join(access.iam_ignored)} (no statement for the account root)")
            statement = key_policy_statement(role, need, access.missing, graph)
            if statement is None:
                return f"{reason}. Add a statement for this role's ARN allowing {missing} to the key policy"
            return f"{reason}. Add to the key policy: {dumps(statement)}"
        statement, why_not = role_statement(role, need, access.missing, graph)
        if statement is None:
            return f"{problem}. {why_not[0].upper()}{why_not[1:]}; see {self.guideline}"
        return f"{problem}. Add to the role's policy: {dumps(statement)}"


check = IAMRoleHasKMSPermissionsForBuckets()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

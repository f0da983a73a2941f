"""CKV2_KMSG_2: a role that reads or writes objects of an SSE-KMS bucket holds the KMS permissions its key needs."""
import json

from kmsguard.check import KmsguardCheck, Verdict
from kmsguard.iam import ROLE, key_label, missing_actions, needs_of

MAX_LISTED = 10  # keep details readable for roles that reach every bucket through "*"


class IAMRoleHasKMSPermissionsForBuckets(KmsguardCheck):
    ID = "CKV2_KMSG_2"
    NAME = "Ensure IAM roles that use SSE-KMS buckets hold the KMS permissions their keys need"
    RESOURCES = (ROLE,)

    def evaluate(self, conf, resource_type):
        graph = self.resource_graph()
        return self.judge_each(conf, lambda role: self._judge(role, graph))

    def _judge(self, role, graph):
        needs, problems = needs_of(role, graph)
        failures, broad = [], False
        for need in needs:
            missing, only_star = missing_actions(role, need, graph)
            broad = broad or only_star
            if missing:
                failures.append((need, missing))
        details = [self._describe(need, missing) for need, missing in failures[:MAX_LISTED]]
        if len(failures) > MAX_LISTED:
            details.append(f"... and {len(failures) - MAX_LISTED} more bucket/key pairs")
        if problems:
            details += [f"could not read: {problem}" for problem in problems]
        if failures or problems:
            if not failures:
                details.append("kmsguard cannot tell whether this role needs KMS permissions until these policies can be read")
            return Verdict.failed(*details)
        if not needs:
            return Verdict.passed("uses no object of an SSE-KMS bucket in this scan")
        note = ["KMS access comes from Resource \"*\", broader than the keys it needs"] if broad else []
        return Verdict.passed(f"holds the KMS permissions for {len(needs)} bucket/key pair(s)", *note)

    @staticmethod
    def _describe(need, missing):
        key = key_label(need.key)
        snippet = json.dumps({"Effect": "Allow", "Action": missing, "Resource": f"<ARN of {key}>"})
        return (
            f"{need.bucket}: {' and '.join(sorted(need.because))}, encrypted with {key}, "
            f"but the role lacks {', '.join(missing)} on that key (S3 answers AccessDenied). Add: {snippet}"
        )


check = IAMRoleHasKMSPermissionsForBuckets()

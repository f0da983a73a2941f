"""CKV2_KMSG_2: a role that reads or writes objects of an SSE-KMS bucket holds the KMS permissions its key needs."""
import re

from checkov.common.models.enums import CheckCategories

from kmsguard.adapters.base_check import KmsguardCheck, Verdict
from kmsguard.adapters.cloudformation_scan import cloudformation_twin
from kmsguard.model.fix_intents import AddKeyPolicyStatement, AddRoleStatement
from kmsguard.model.resources import Block
from kmsguard.model.values import framework_of
from kmsguard.rules.encrypted_buckets import UnknownKey, key_label
from kmsguard.rules.key_access import Access, access_to_key, key_policies, names_account
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
            return Verdict.failed(*details, intents=_intents(role, failures, problems, graph))
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
        if any(a in access.undecided for a in access.missing):
            return self._undecided(role, need, access, graph, because, key)
        missing = ", ".join(access.missing)
        if need.bucket.startswith("replication "):
            problem = (f"{need.bucket}: {because} with {key}, but the role lacks {missing} on that key, "
                       "so S3 cannot replicate those objects")
        else:
            problem = (f"{need.bucket}: {because}, encrypted with {key}, but the role lacks {missing} on that key, "
                       "so S3 answers AccessDenied")
        problem += _unmet(access)
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
        if access.iam_ignored or not _delegates(need.key, access.missing, graph):
            # The key policy does not delegate to IAM: only the key policy itself can grant.
            reason = (f"{problem}. The key policy of {key} does not let IAM policies grant "
                      f"{', '.join(access.iam_ignored or access.missing)} (no statement for the account root)")
            statement = key_policy_statement(role, need, access.missing, graph)
            if statement is None:
                return f"{reason}. Add a statement for this role's ARN allowing {missing} to the key policy"
            return f"{reason}. Add to the key policy: {dumps(statement, need.key)}"
        statement, why_not = role_statement(role, need, access.missing, graph)
        if statement is None:
            return f"{problem}. {why_not[0].upper()}{why_not[1:]}; see {self.guideline}"
        return f"{problem}. Add to the role's policy: {dumps(statement, role)}"

    def _undecided(self, role, need, access, graph, because, key):
        # A condition kmsguard cannot judge grants nothing: said apart from what is plainly missing.
        undecided = [a for a in access.missing if a in access.undecided]
        reasons = "; ".join(dict.fromkeys(r for a in undecided for r in access.undecided[a]))
        text = (f"{need.bucket}: {because}, encrypted with {key}, but kmsguard cannot tell whether the role may "
                f"use {', '.join(undecided)} on that key: {reasons}")
        rest = [a for a in access.missing if a not in access.undecided]
        if not rest:
            return text
        access = Access(missing=rest, iam_ignored=[a for a in access.iam_ignored if a in rest],
                        request_alias=access.request_alias, denied=access.denied, unmet=access.unmet)
        return f"{text}. {self._describe(role, need, access, graph)}"


def _intents(role, failures, problems, graph):
    """What `kmsguard fix` adds: each missing statement, built as the details print it; all of them or none."""
    template = framework_of(role) == "cloudformation"
    if framework_of(role) not in ("terraform", "cloudformation"):
        return []  # a plan is never edited
    if problems or len(failures) > MAX_LISTED:
        return []  # a policy kmsguard cannot read, or a list cut short: a fix would be a guess
    intents: list = []
    for need, access in failures:
        if isinstance(need.key, UnknownKey) or access.denied or any(a in access.undecided for a in access.missing):
            return []  # an unknown key, an explicit Deny or an undecided condition is left to a person
        if access.iam_ignored or not _delegates(need.key, access.missing, graph):
            # In a template the role is named by its ARN built from a literal RoleName: !GetAtt Role.Arn in the key
            # policy while the role's policy names the key would be a circular dependency (cfn-lint E3004).
            statement = _template_key_statement(role, access.missing) if template else \
                key_policy_statement(role, need, access.missing, graph)
            if statement is None or not isinstance(need.key, Block):
                return []
            intents.append(AddKeyPolicyStatement(need.key, statement, f"let {role.address} use {key_label(need.key)}"))
            continue
        statement, _ = role_statement(role, need, access.missing, graph)
        if statement is None and isinstance(need.key, Block) and framework_of(need.key) == "terraform":
            # The key is in another module: the fixer names it through that module's output, or refuses.
            statement = {"Effect": "Allow", "Action": list(access.missing)}
        if statement is None:
            return []
        intents.append(AddRoleStatement(role, statement, need.key, f"grant {', '.join(access.missing)} on "
                                                                   f"{key_label(need.key)}"))
    return intents


def _template_key_statement(role, actions):
    """A key-policy statement naming a template role by the ARN its literal RoleName gives, or None."""
    name, path = role.get("name"), role.get("path") if isinstance(role.get("path"), str) else "/"
    if not isinstance(name, str) or not re.fullmatch(r"[\w+=,.@-]+", name) or not re.fullmatch(r"/[\w+=,.@/-]*", path):
        return None
    arn = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role" + path + name}
    return {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": list(actions), "Resource": "*"}


def _delegates(key, actions, graph):
    """Whether the key policy lets IAM policies grant ``actions`` (an account-root Allow), so a role statement works.

    Without it only the key policy can grant (AWS KMS developer guide, "Default key policy": the statement
    for the account root is what enables IAM policies).
    """
    if not isinstance(key, Block):
        return True  # a key outside the scan: its policy is not known here
    policy = key_policies(graph).get(id(key))
    if policy is None or policy.problems:
        return True  # the default key policy delegates; an unreadable one is a problem reported elsewhere
    return all(any(s.allow and s.covers_action(a) and any(names_account(p) for p in s.principals)
                   for s in policy.statements) for a in actions)


def _unmet(access):
    """The Allows whose condition S3's request never meets, said so the reader sees why they do not count."""
    unmet = [r for a in access.missing for r in access.unmet.get(a, []) if "kms:RequestAlias" not in r]
    return f" ({'; '.join(dict.fromkeys(unmet))})" if unmet else ""


check = IAMRoleHasKMSPermissionsForBuckets()
cfn_check = cloudformation_twin(check)  # the same rule on CloudFormation templates

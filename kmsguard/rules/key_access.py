"""Whether a role may use a KMS key for what it needs: its IAM policies, the key's policy, and KMS grants.

AWS facts (KMS developer guide, "Key policies", "Default key policy",
"Specifying KMS keys in IAM policy statements", "Grants in AWS KMS", "Use
aliases to control access to KMS keys"; IAM user guide, "Policy evaluation
logic"): in an IAM policy only a key ARN, a wildcard ARN or "*" names a key,
never an alias ARN or key ID. IAM policies count only when the key policy
lets the account (its root principal) delegate; a key policy that names the
role grants on its own, and so does a grant whose grantee is the role. A
statement on the account's keys conditioned on ``kms:ResourceAliases``
covers the keys with that alias, which is how a key known only by its alias
is granted; ``kms:RequestAlias`` matches only requests that name the alias,
and S3 decrypts with the key ID from the object's metadata. An explicit Deny
wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Iterable

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import (
    CLOUDFORMATION_ACCOUNT_ID,
    CLOUDFORMATION_REGION,
    framework_of,
    is_unresolved,
    references_in,
    unwrap,
)
from kmsguard.rules.conditions import ACCOUNT, LOOKUP_HOLES, PARTITION, REGION, Request, Unknown, hole, judge
from kmsguard.rules.encrypted_buckets import AliasKey, EncryptedBucket, Key, UnknownKey, encrypted_buckets
from kmsguard.rules.key_classes import KEY_RESOURCES
from kmsguard.rules.kms_arns import (
    LOOKUP_TEXT,
    arn_parts,
    every_key,
    key_arn_parts,
    lookup_kind,
    part_matches,
    parts_match,
    role_arn_names,
)
from kmsguard.rules.kms_grants import grant_covers, grant_holds, grants
from kmsguard.rules.kms_needs import Need
from kmsguard.rules.policy_documents import Document, Statement, iam_glob, parse
from kmsguard.rules.role_policies import ROLE, role_document
from kmsguard.rules.s3_encryption import BUCKET

_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:iam::[^:/]+:root|\d{12})$")
# A template's own region and account, as the CloudFormation reader writes ${AWS::Region} and ${AWS::AccountId}.
CFN_REGION, CFN_ACCOUNT = CLOUDFORMATION_REGION, CLOUDFORMATION_ACCOUNT_ID


@dataclass
class Access:
    missing: list[str] = field(default_factory=list)  # KMS actions the role is not known to hold on the key
    only_star: bool = False  # granted, but only through Resource "*"
    iam_ignored: list[str] = field(default_factory=list)  # actions IAM grants but the key policy does not delegate
    problems: list[str] = field(default_factory=list)  # what could not be read
    request_alias: list[str] = field(default_factory=list)  # allowed only through kms:RequestAlias, which S3 calls miss
    denied: dict[str, list[str]] = field(default_factory=dict)  # action -> the policies whose Deny takes it away
    # action (also in missing) -> why kmsguard cannot tell: an Allow or Deny whose condition it cannot judge
    undecided: dict[str, list[str]] = field(default_factory=dict)
    unmet: dict[str, list[str]] = field(default_factory=dict)  # action -> Allows whose condition S3's call never meets


def key_policies(graph: ResourceGraph) -> dict[int, Document]:
    """id(key) -> its key policy, for keys that set one."""
    return graph.memo("key_access.key_policies", _build_key_policies)


def _build_key_policies(graph: ResourceGraph) -> dict[int, Document]:
    policies: dict[int, Document] = {}
    for key in (k for kind in KEY_RESOURCES for k in graph.of_type(kind)):  # replica and external keys have one too
        if key.config.get("policy") is not None:
            policies[id(key)] = parse(key.config.get("policy"), key, "policy", key.address, graph)
    for block in graph.of_type("aws_kms_key_policy"):
        document = parse(block.config.get("policy"), block, "policy", block.address, graph)
        for key in graph.resolve(block, "key_id", KEY_RESOURCES, unwrap(block.config.get("key_id"))):
            policies[id(key)] = document  # it replaces the key's own policy
    return policies


class _Judge:
    """Statements and grants judged against the KMS request S3 makes for one role, key and action."""

    def __init__(self, role: Block, need: Need, action: str, graph: ResourceGraph) -> None:
        self.graph, self.role, self.need = graph, role, need
        self.request = s3_request(role, need, action, graph)
        self.unknown: list[str] = []  # reasons of the statements that could not be judged
        self.unmet: list[str] = []  # reasons of the Allows (and grants) whose condition never holds
        self.maybe_granted = False

    def grants(self) -> bool:
        """Whether a KMS grant gives the role the action, its constraints met by S3's request."""
        answers = [grant_holds(g, self.request, partial(self._constraint, g.block))
                   for g in grants(self.graph) if grant_covers(g, self.role, self.request.action, self.need.key)]
        self.unknown += [why for held, why in answers if held is None]
        self.unmet += [why for held, why in answers if held is False]
        self.maybe_granted = any(held is None for held, _ in answers)
        return any(held for held, _ in answers)

    def holds(self, statement: Statement) -> bool | None:
        if not statement.conditions:
            return True
        conditions = normalise(statement.conditions, statement.holder, statement.label, self.graph, self.request)
        judgement = judge(conditions, self.request)
        what = f"{statement.effect} in {statement.source}" + (f" ({statement.sid})" if statement.sid else "")
        if judgement.holds is None:
            self.unknown.append(f"the {what} has a condition kmsguard cannot judge: {'; '.join(judgement.reasons)}")
        elif judgement.holds is False and statement.allow:
            self.unmet.append(f"the Allow in {statement.source} applies only when {'; '.join(judgement.reasons)}")
        return judgement.holds

    def _constraint(self, grant: Block, condition: dict) -> dict:
        return normalise(condition, grant, "constraints", self.graph, self.request)

    def applying(self, statements: Iterable[Statement]) -> tuple[list[Statement], list[Statement]]:
        """(statements whose condition always holds, those that cannot be judged)."""
        judged = [(s, self.holds(s)) for s in statements]
        return [s for s, held in judged if held], [s for s, held in judged if held is None]


def access_to_key(role: Block, need: Need, graph: ResourceGraph) -> Access:
    """What the role lacks of ``need`` on its key, from its IAM policies, the key policy and grants."""
    key_policy = key_policies(graph).get(id(need.key)) if isinstance(need.key, Block) else None
    access = Access(problems=list(key_policy.problems) if key_policy else [])
    for action in sorted(need.actions):
        if isinstance(need.key, UnknownKey) and need.key.bucket:
            access.missing.append(action)  # the bucket's encryption could not be read: nothing is known to cover it
            continue
        _judge_action(access, _Judge(role, need, action, graph), key_policy)
    return access


def _judge_action(access: Access, judging: _Judge, key_policy: Document | None) -> None:
    role, need, action, graph = judging.role, judging.need, judging.request.action, judging.graph
    key_statements = key_policy.statements if key_policy else []
    allows = [s for s in role_document(role, graph).statements
              if s.allow and s.covers_action(action) and _covers_key(s, need.key, graph)]
    identity, maybe_identity = judging.applying(allows)
    if allows and not identity and any("kms:RequestAlias" in why for why in judging.unmet):
        access.request_alias.append(action)
    direct, maybe_direct = judging.applying(
        s for s in key_statements if s.allow and s.covers_action(action) and _names_role(s, role, graph))
    granted = judging.grants()
    denies, maybe_denies = judging.applying(
        [s for s in role_document(role, graph).statements if _deny(s, action) and _covers_key(s, need.key, graph)]
        + [s for s in key_statements if _deny(s, action) and _names_role(s, role, graph)])
    if denies:
        access.denied[action] = list(dict.fromkeys(s.source for s in denies))
    # No readable key policy: the default one, which lets IAM policies grant (its root statement).
    if (identity or maybe_identity) and key_policy is not None and not key_policy.problems:
        # IAM policies count only where a key policy statement for the account root applies.
        roots, maybe_roots = judging.applying(
            s for s in key_statements if s.allow and s.covers_action(action) and _names_account(s))
        if not roots:
            if identity and not maybe_roots:
                access.iam_ignored.append(action)
            maybe_identity = maybe_identity + identity if maybe_roots else []
            identity = []
    held = bool(identity or direct or granted)
    if held and not denies and not maybe_denies:
        if not (direct or granted) and all(s.resources == ("*",) and not _narrows_to_aliases(s) for s in identity):
            access.only_star = True
        return
    access.missing.append(action)
    if not denies and (maybe_denies or maybe_identity or maybe_direct or judging.maybe_granted) and judging.unknown:
        access.undecided[action] = list(dict.fromkeys(judging.unknown))
    if not held and judging.unmet:
        access.unmet[action] = list(dict.fromkeys(judging.unmet))


def _deny(statement: Statement, action: str) -> bool:
    return not statement.allow and statement.covers_action(action)


def _covers_key(statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if statement.resources is None:
        return not any(_names_key(r, statement, key, graph) for r in statement.not_resources or ())
    return any(_names_key(r, statement, key, graph) for r in statement.resources)


def _narrows_to_aliases(statement: Statement) -> bool:
    return bool(statement.condition_values("kms:ResourceAliases"))


# --- the request S3 makes -------------------------------------------------------------------

def s3_request(role: Block, need: Need, action: str, graph: ResourceGraph) -> Request:
    """The KMS request S3 makes for ``role`` on ``need``'s bucket, as far as the scan knows it."""
    cloudformation = framework_of(role) == "cloudformation"
    # A template's ${AWS::Region} and ${AWS::AccountId} are read as the reader's stand-ins: one stack, one of each.
    region, account = (CFN_REGION, CFN_ACCOUNT) if cloudformation else (None, None)
    bucket, bucket_key = _bucket_of(need, graph)
    if not cloudformation and bucket is not None:
        region = bucket.region  # written in its provider configuration, or unknown (None)
    return Request(
        action=action, caller="role", region=region, account=account,
        bucket_arn=_bucket_arn(bucket) if bucket is not None else None, bucket_key=bucket_key,
        principal_arn=_role_arn(role, account or ACCOUNT),
        key_aliases=_key_aliases(need.key, graph),
        # S3 decrypts with the key ID from the object's metadata; for new objects it names the key as the
        # bucket's default encryption does, which kmsguard does not follow to an alias.
        request_alias=None if action.lower() == "kms:decrypt" else Unknown(
            "whether S3 names the key by an alias in this request is not documented"),
    )


def _bucket_of(need: Need, graph: ResourceGraph) -> tuple[Block | None, bool | None]:
    """The bucket whose objects S3 encrypts or decrypts for ``need``, and whether it uses an S3 Bucket Key."""
    index = encrypted_buckets(graph)
    by_label = graph.memo("key_access.buckets_by_label", lambda g: _by_label(index.all))
    if need.bucket in by_label:
        return by_label[need.bucket].bucket, by_label[need.bucket].bucket_keys
    # Replication: the source bucket for the source objects' key, the destination for the replica key.
    address = need.bucket[len("replication "):]
    for config in graph.of_type(REPLICATION):
        if config.address != address:
            continue
        sources = [index.by_bucket[id(b)] for b in graph.resolve(config, "bucket", (BUCKET,)) if id(b) in index.by_bucket]
        bucket_keys = {e.bucket_keys for e in sources}  # replicas keep the source objects' Bucket Key setting
        destinations = [b for b in graph.resolve(config, "rule", (BUCKET,))]
        candidates = [e.bucket for e in sources if any(k is need.key for k in e.keys)] + [
            b for b in destinations if need.key not in [k for e in sources for k in e.keys]]
        if len(candidates) == 1 and len(bucket_keys) == 1:
            return candidates[0], bucket_keys.pop()
    return None, None


def _by_label(buckets: list[EncryptedBucket]) -> dict[str, EncryptedBucket]:
    found: dict[str, EncryptedBucket] = {}
    for encrypted in buckets:
        found.setdefault(encrypted.label, encrypted)  # the first, as a scan in order would find
    return found


def _bucket_arn(bucket: Block) -> str:
    name = bucket.get("bucket")
    name = name if isinstance(name, str) and not is_unresolved(name) else hole(f"bucket {bucket.address}")
    return f"arn:{PARTITION}:s3:::{name}"


def _role_arn(role: Block, account: str) -> str:
    name, path = role.get("name"), role.get("path")
    name = name if isinstance(name, str) and not is_unresolved(name) else hole(f"role {role.address}")
    path = path if isinstance(path, str) and path.startswith("/") and not is_unresolved(path) else "/"
    return f"arn:{PARTITION}:iam::{account}:role{path}{name}"


def _key_aliases(key: Key, graph: ResourceGraph) -> tuple[str, ...] | None:
    if isinstance(key, (Block, AliasKey)):
        return tuple(aliases_of(key, graph))
    return None  # a key outside the scan: its aliases are not known


def normalise(conditions: dict, holder: Block, label: str, graph: ResourceGraph, request: Request) -> dict:
    """A Condition block with references and lookups written as the request's values, or as holes."""
    def value(text: Any) -> Any:
        if not isinstance(text, str) or "${" not in text:
            return text
        return _INTERPOLATION.sub(lambda m: _substitute(m.group(0), holder, label, graph, request), text)
    return {op: {key: [value(v) for v in (vs if isinstance(vs, list) else [vs])] for key, vs in tests.items()}
            if isinstance(tests, dict) else tests for op, tests in conditions.items()}


REPLICATION = "aws_s3_bucket_replication_configuration"
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


def _substitute(text: str, holder: Block, label: str, graph: ResourceGraph, request: Request) -> str:
    refs = references_in(text)
    if len(refs) != 1:
        return text
    ref = refs[0]
    for data_type, stand_in in LOOKUP_HOLES.items():
        if ref.type == data_type:
            if stand_in == REGION and request.region is not None:
                # The region lookup reads its provider configuration's region: a known one is that value.
                regions = {t.region for t in graph.resolve(holder, label, (ref.type,), text)}
                known = regions.pop() if len(regions) == 1 else None
                return known or stand_in
            # Otherwise the provider's unknown region/account: the same as the bucket's and role's (one provider).
            return stand_in
    for target in graph.resolve(holder, label, (ref.type,), text):
        if target.type == ROLE and ref.attribute in ("arn", "name", "id"):
            arn = _role_arn(target, request.account or ACCOUNT)
            return arn if ref.attribute == "arn" else arn.rsplit("/", 1)[-1]
        if target.type == BUCKET and ref.attribute in ("arn", "id", "bucket"):
            arn = _bucket_arn(target)
            return arn if ref.attribute == "arn" else arn.split(":::", 1)[1]
    return text


def aliases_of(key: Key, graph: ResourceGraph) -> list[str]:
    """Alias names the key is known to carry."""
    if isinstance(key, AliasKey):
        return [key.name]
    if isinstance(key, Block):
        return graph.memo("key_access.aliases", _build_aliases).get(id(key), [])
    return []


def _build_aliases(graph: ResourceGraph) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for alias in graph.of_type("aws_kms_alias"):
        name = alias.get("name")
        if isinstance(name, str) and not is_unresolved(name):
            for key in graph.resolve(alias, "target_key_id", KEY_RESOURCES, alias.get("target_key_id")):
                found.setdefault(id(key), []).append(name)
    return found


# --- Resource entries -------------------------------------------------------------------------

def _names_key(resource: Any, statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return not isinstance(key, UnknownKey) or not key.bucket
    targets = graph.targets(statement.holder, statement.label, resource, None)
    lookups_only = bool(targets) and all(lookup_kind(t.block) for t in targets)
    if targets and not lookups_only:
        # Only the key ARN names a key in an IAM policy; an alias ARN or key ID does not.
        return any(t.block is key and t.attribute == "arn" for t in targets)
    if is_unresolved(LOOKUP_TEXT.sub("*", resource)):
        return False
    pattern = arn_parts(resource)
    if pattern is None or pattern[2] is None or not iam_glob("kms", pattern[2]):
        return False
    if isinstance(key, str):
        return parts_match(key_arn_parts(key), pattern)
    if isinstance(key, (UnknownKey, AliasKey)):
        if isinstance(key, UnknownKey) and key.bucket:
            return False
        alias_arn = arn_parts(key.arn) if isinstance(key, AliasKey) else None
        account = alias_arn[4] if alias_arn else None
        return every_key(pattern) and part_matches(account, pattern[4], "account")
    known_arn = key.get("arn")  # only a plan of existing keys knows it; the HCL never does
    if isinstance(known_arn, str) and known_arn.startswith("arn:") and not is_unresolved(known_arn):
        return parts_match(arn_parts(known_arn), pattern)
    # A key created in this scan has an ARN unknown until apply: a pattern covers it
    # when it covers every key ARN (region and account are not known here either).
    return every_key(pattern)


# --- principals -------------------------------------------------------------------------------

def names_account(principal: Any) -> bool:
    """Whether a key policy principal is an account (its root ARN or bare account ID)."""
    return isinstance(principal, str) and bool(_ACCOUNT_PRINCIPAL.match(principal))


def _names_account(statement: Statement) -> bool:
    return any(names_account(p) for p in statement.principals)


def _names_role(statement: Statement, role: Block, graph: ResourceGraph) -> bool:
    for principal in statement.principals:
        if principal == "*":
            return True
        if not isinstance(principal, str):
            continue
        if any(r.type == ROLE for r in references_in(principal)):
            if role in graph.resolve(statement.holder, statement.label, (ROLE,), principal):
                return True
            continue
        if role_arn_names(principal, role.get("name")):
            return True
    return False



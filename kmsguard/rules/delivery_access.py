"""Whether the key a service delivery writes with lets that service use it, and the statement to add when not.

A service principal is authorised by the key policy alone (KMS developer
guide, "Key policies"): the account-root statement of the default key policy
lets IAM policies grant, and a service principal has none, so a key without
a policy, or whose policy the scan cannot read, never passes. A statement
grants when its principal names the service (or ``*``), its actions cover
each action the AWS page lists, and its condition holds for the service's
request (``conditions.judge``); a condition that cannot be judged is a
failure with the reason. An explicit Deny that holds wins.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kmsguard.model.fix_intents import AddKeyPolicyStatement, Intent
from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import CLOUDFORMATION_ACCOUNT_ID, CLOUDFORMATION_REGION, framework_of, is_unresolved
from kmsguard.rules.bucket_index import bucket_index
from kmsguard.rules.conditions import ACCOUNT, BUCKET_NAME, LOOKUP_HOLES, REGION, Judgement, Request, hole, judge
from kmsguard.rules.encrypted_buckets import Key, encrypted_buckets, key_label, nameable
from kmsguard.rules.key_access import key_policies, names_account
from kmsguard.rules.key_classes import KEY_RESOURCES, KeyKind, classify
from kmsguard.rules.policy_documents import Document, Statement
from kmsguard.rules.remediation_statements import lookup_reference
from kmsguard.rules.s3_encryption import RuleCheck, block_rules
from kmsguard.rules.service_deliveries import (
    CONFIG,
    CONFIG_SERVICE_LINKED_ROLE,
    Delivery,
    Service,
    destination_buckets,
)

# The CloudFormation reader's stand-in for AWS::AccountId (readers/cloudformation_intrinsics.ACCOUNT_ID):
# a key policy's !Ref AWS::AccountId and the stack's own requests carry the same account.
# A template's own account (and CLOUDFORMATION_REGION its region: a literal us-east-1 in an ARN reads as it).
CLOUDFORMATION_ACCOUNT = CLOUDFORMATION_ACCOUNT_ID


_TERRAFORM_NAMES = {"destination": "destination.bucket.encryption.sse_kms.key_id"}
_CLOUDFORMATION_NAMES = {"kms_key_id": "KMSKeyId", "s3_kms_key_arn": "S3KmsKeyArn"}


@dataclass
class Outcome:
    """The verdict on one delivery: every problem, what passed, and the statements to add."""

    problems: list[str] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)
    intents: list[Intent] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)  # the key-policy statements to add (structured)


def judge_delivery(delivery: Delivery, graph: ResourceGraph) -> Outcome:
    outcome = Outcome()
    if delivery.unknown:
        outcome.problems.append(f"{delivery.what} may deliver into S3, but kmsguard cannot tell: {delivery.unknown}")
        return outcome
    if delivery.own_key:
        label, value = delivery.own_key
        key = classify(value, delivery.source, label, graph)
        names = _CLOUDFORMATION_NAMES if framework_of(delivery.source) == "cloudformation" else _TERRAFORM_NAMES
        where = f"the key it names itself ({names.get(label, label)})"
        _judge_key_class(key, where, delivery, None, graph, outcome)
        return outcome
    buckets, why = destination_buckets(delivery, graph)
    if not buckets:
        statement = statement_for(delivery, None, None, graph)
        outcome.statements.append(statement)
        outcome.problems.append(
            f"{delivery.what}: kmsguard cannot tell which key encrypts what it delivers: {why}. If that bucket's "
            f"default encryption is SSE-KMS, it must be a customer-managed key whose key policy allows "
            f"{delivery.service.principal}: {_dumps(statement)} (see {delivery.service.docs}); or suppress "
            "this result with a reason")
        return outcome
    for bucket in buckets:
        _judge_bucket(bucket, delivery, graph, outcome)
    return outcome


def _judge_bucket(bucket: Block, delivery: Delivery, graph: ResourceGraph, outcome: Outcome) -> None:
    into = f"{delivery.what} into {bucket.address}"
    if delivery.sse_s3:
        outcome.passes.append(f"{into}: the delivery encrypts with SSE-S3 itself")
        return
    index = bucket_index(graph)
    configs = index.configs_of(bucket)
    rules: list[RuleCheck] = block_rules(graph, bucket, True) + [r for c in configs for r in block_rules(graph, c, False)]
    if not rules:
        unlinked = index.unlinked_near(bucket)
        if unlinked:
            names = ", ".join(config.address for config, _ in unlinked)
            outcome.problems.append(f"{into}: kmsguard cannot tell the bucket's default encryption: {names} names "
                                    "its bucket by a value the scan cannot know")
        else:
            outcome.passes.append(f"{into}: the bucket has S3's default SSE-S3 encryption")
        return
    for rule in rules:
        if rule.algorithm == "AES256":
            outcome.passes.append(f"{into}: SSE-S3 (AES256)")
        elif not rule.is_kms or rule.key is None:
            outcome.problems.append(f"{into}: kmsguard cannot tell the bucket's default encryption: {rule.problem}")
        else:
            _judge_key_class(rule.key, f"{bucket.address}'s default key", delivery, bucket, graph, outcome)


def _judge_key_class(key, where: str, delivery: Delivery, bucket: Block | None, graph: ResourceGraph,
                     outcome: Outcome) -> None:
    service = delivery.service
    if key.kind is KeyKind.AWS_MANAGED:
        outcome.problems.append(
            f"{delivery.what}: {where}: {key.description}, whose key policy cannot be changed to allow "
            f"{service.principal}, so {service.name} into it fail: use a customer-managed key whose key policy "
            f"allows {service.principal}" + ("" if delivery.own_key else ", or SSE-S3 (AES256)")
            + f" (see {service.docs})")
        return
    if key.kind is KeyKind.UNRESOLVED:
        outcome.problems.append(f"{delivery.what}: kmsguard cannot tell {where}: {key.description}")
        return
    for named in nameable(key, graph, bucket or delivery.source):
        _judge_key(named, where, delivery, bucket, graph, outcome)


def _judge_key(key: Key, where: str, delivery: Delivery, bucket: Block | None, graph: ResourceGraph,
               outcome: Outcome) -> None:
    service = delivery.service
    label = key_label(key)
    subject = f"{delivery.what}: {where}, {label}"
    if not (isinstance(key, Block) and key.type in KEY_RESOURCES):
        statement = statement_for(delivery, None, bucket, graph)
        outcome.statements.append(statement)
        outcome.problems.append(
            f"{subject}, is not created in this scan, so kmsguard cannot read its key policy: make sure it allows "
            f"{service.principal}: {_dumps(statement)} (see {service.docs}); or suppress this result with a reason")
        return
    statement = statement_for(delivery, key, bucket, graph)
    document = _key_policy(key, graph)
    role = _config_role(delivery)
    if document is None:
        if role:
            outcome.passes.append(f"{subject}: the default key policy lets IAM policies grant the recorder's role "
                                  f"{role} (its own kms:Decrypt and kms:GenerateDataKey are CKV2_KMSG_2's)")
            return
        _missing(outcome, subject, f"has no key policy of its own, so the default key policy applies, which lets only "
                 f"the account's IAM principals use the key, not {service.principal}", key, statement, service)
        return
    if document.problems:
        outcome.problems.append(f"{subject}: its key policy could not be read ({'; '.join(document.problems)}), "
                                f"so kmsguard cannot tell whether it allows {service.principal}")
        return
    denied, unknown, missing = _policy_gaps(document, delivery, role, _request(delivery, bucket, graph), graph)
    if denied:
        outcome.problems.append(f"{subject}: {'; '.join(dict.fromkeys(denied))} applies to {service.principal}: an "
                                "explicit Deny overrides any Allow, so narrow it")
    if unknown:
        outcome.problems.append(f"{subject}: kmsguard cannot tell whether its key policy lets {service.principal} "
                                f"use it: {'; '.join(dict.fromkeys(unknown))}")
    if missing and not unknown:
        _missing(outcome, subject, f"has a key policy that does not allow {service.principal} "
                 f"{', '.join(missing)}", key, statement, service)
    elif missing:
        outcome.statements.append(statement)
    if not (denied or unknown or missing):
        outcome.passes.append(f"{subject}: its key policy allows {service.principal} {', '.join(service.actions)}")


def _policy_gaps(document: Document, delivery: Delivery, role: str | None, request: dict,
                 graph: ResourceGraph) -> tuple[list[str], list[str], list[str]]:
    """(Denies that apply, what cannot be judged, actions not allowed) of a key policy for the delivery's service."""
    denied: list[str] = []
    unknown: list[str] = []
    missing: list[str] = []
    unmet: list[str] = []  # Allows whose condition the service's request never meets
    for action in delivery.service.actions:
        allowed, undecided = _judge_action(document, delivery, action, _for_action(request, action), graph,
                                           denied, unknown, unmet)
        if not allowed and not (role and _delegates(document, action, role)):
            missing.append(action)
            unknown += [f"an Allow of {action} whose condition cannot be judged: {u}" for u in undecided]
    if missing and unmet:  # say why the Allow that is there does not count
        missing[-1] += f" (the condition of {'; '.join(dict.fromkeys(unmet))} never holds for it)"
    return denied, unknown, missing


def _judge_action(document: Document, delivery: Delivery, action: str, request: Request, graph: ResourceGraph,
                  denied: list[str], unknown: list[str], unmet: list[str]) -> tuple[bool, list[str]]:
    """Whether the statements naming the service allow ``action`` (collecting Denies and unmet Allows on the way)."""
    allowed, undecided = False, list[str]()
    for st in document.statements:
        if not st.covers_action(action) or not _names_service(st, delivery.service):
            continue
        verdict = _holds(st, request, graph)
        if not st.allow and verdict.holds is not False:
            (denied if verdict.holds else unknown).append(f"a Deny of {action} ({st.sid or st.source}){_why(verdict)}")
        elif st.allow and verdict.holds:
            allowed = True
        elif st.allow:
            (undecided if verdict.holds is None else unmet).append(f"{st.sid or st.source}{_why(verdict)}")
    return allowed, undecided


def _missing(outcome: Outcome, subject: str, why: str, key: Block, statement: dict, service: Service) -> None:
    outcome.statements.append(statement)
    outcome.intents.append(AddKeyPolicyStatement(key, statement, f"let {service.principal} use the key"))
    outcome.problems.append(f"{subject}, {why}, so {service.name} fail. Add to its key policy (keeping the "
                            f"account-root statement): {_dumps(statement)} (see {service.docs})")


def _why(verdict: Judgement) -> str:
    return f" ({'; '.join(verdict.reasons)})" if verdict.reasons else ""


def _for_action(request: dict, action: str) -> Request:
    if action.lower() == "kms:describekey":  # no data key: the request carries no encryption context
        empty = {"kms:encryptioncontext:aws:s3:arn": (), "kms:encryptioncontextkeys": (),
                 **{f"kms:encryptioncontext:{k.lower()}": () for k in request["encryption_context"]}}
        return Request(**{**request, "action": action, "context": empty})
    return Request(**{**request, "action": action})


def _holds(statement: Statement, request: Request, graph: ResourceGraph) -> Judgement:
    if not statement.conditions:
        return Judgement(True)
    return judge(_with_holes(statement.conditions, statement, graph), request)


def _names_service(statement: Statement, service: Service) -> bool:
    if "*" in statement.principals:
        return True
    return any(isinstance(s, str) and s.lower() == service.principal for s in statement.services)


def _config_role(delivery: Delivery) -> str | None:
    """AWS Config's recorder role when it is an IAM role (not Config's service-linked role), else None."""
    role = delivery.role
    if delivery.service is not CONFIG or not isinstance(role, str) or not role:
        return None
    if CONFIG_SERVICE_LINKED_ROLE.search(role) or is_unresolved(role) and "aws-service-role" in role:
        return None
    return role


def _delegates(document: Document, action: str, role: str) -> bool:
    """AWS Config with an IAM role: the key policy lets the account's IAM policies grant, or names that role."""
    for st in document.statements:
        if st.allow and st.covers_action(action) and not st.conditions and any(
                names_account(p) or p == "*" or (isinstance(p, str) and p == role) for p in st.principals):
            return True
    return False


def _key_policy(key: Block, graph: ResourceGraph) -> Document | None:
    """The key's policy (an ``aws_kms_key_policy`` replaces it); None for the default key policy."""
    return key_policies(graph).get(id(key))


def _request(delivery: Delivery, bucket: Block | None, graph: ResourceGraph) -> dict:
    """The parts of the service's KMS request the scan knows (Request fields but the action).

    The delivering resource and the key are deployed together, so the request's account is the
    deployment's: a hole that a lookup of the caller's account in the key policy fills alike.
    """
    encrypted = encrypted_buckets(graph).by_bucket.get(id(bucket)) if bucket is not None else None
    bucket_arn = f"arn:aws:s3:::{encrypted.name if encrypted and encrypted.name else BUCKET_NAME}"
    context: dict[str, str] = {}
    source_arn = delivery.source_arn
    region = delivery.source.region or REGION  # its provider configuration's, when written
    if delivery.service.source == "trail":
        name = delivery.source.get("name")
        trail = f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}" if isinstance(name, str) \
            and not is_unresolved(name) else None
        source_arn = trail
        if trail and delivery.own_key:
            context["aws:cloudtrail:arn"] = trail
    elif delivery.service.source == "logs":
        source_arn = f"arn:aws:logs:{region}:{ACCOUNT}:{hole('delivery-source')}"
    elif delivery.service is CONFIG:
        source_arn = f"arn:aws:config:{region}:{ACCOUNT}:{hole('config')}"
    return {"caller": "service", "service_principal": delivery.service.principal, "account": ACCOUNT,
            "bucket_arn": bucket_arn, "bucket_key": encrypted.bucket_keys if encrypted else None,
            "source_arn": source_arn, "encryption_context": context}


_LOOKUP_HOLES = tuple((re.compile(r"\$\{" + re.escape(data_type) + r"\.[^}]*\}"), stand_in)
                      for data_type, stand_in in LOOKUP_HOLES.items())


def _with_holes(value: Any, statement: Statement, graph: ResourceGraph) -> Any:
    """A condition's values with what plan-time lookups (and the template's account) stand for written as holes."""
    if isinstance(value, dict):
        return {k: _with_holes(v, statement, graph) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_holes(v, statement, graph) for v in value]
    if not isinstance(value, str):
        return value
    value = _REGION_LOOKUP.sub(lambda m: _region_of_lookup(m.group(0), statement, graph), value)
    for pattern, filler in _LOOKUP_HOLES:
        value = pattern.sub(filler, value)
    if framework_of(statement.holder) == "cloudformation":
        value = value.replace(CLOUDFORMATION_ACCOUNT, ACCOUNT).replace(f":{CLOUDFORMATION_REGION}:", f":{REGION}:")
    for target in graph.targets(statement.holder, statement.label, value, ("aws_s3_bucket",)):
        name = target.block.get("bucket")
        if target.attribute == "arn" and isinstance(name, str) and not is_unresolved(name):
            value = re.sub(r"\$\{[^}]*" + re.escape(target.block.name) + r"[^}]*\.arn\}", f"arn:aws:s3:::{name}", value)
    return value


_REGION_LOOKUP = re.compile(r"\$\{data\.aws_region\.[^}]*\}")


def _region_of_lookup(text: str, statement: Statement, graph: ResourceGraph) -> str:
    """A region lookup is its provider configuration's region where that is written; else the unknown region."""
    regions = {b.region for b in graph.resolve(statement.holder, statement.label, ("data.aws_region",), text)}
    return regions.pop() or REGION if len(regions) == 1 else REGION


def statement_for(delivery: Delivery, key: Block | None, bucket: Block | None, graph: ResourceGraph) -> dict:
    """The key-policy statement AWS documents for the service, with the conditions the scan can name."""
    service = delivery.service
    near = key or bucket or delivery.source
    cloudformation = framework_of(near) == "cloudformation"
    account: Any = ({"Ref": "AWS::AccountId"} if cloudformation
                    else lookup_reference(near, graph, "aws_caller_identity", "account_id"))
    condition: dict[str, dict[str, Any]] = {}
    if account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": account}
    if service.source == "trail":
        condition.pop("StringEquals", None)  # CloudTrail recommends the trail's SourceArn instead
        if account is not None:
            arn = ({"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*"} if cloudformation
                   else f"arn:aws:cloudtrail:*:{account}:trail/*")
            # aws:SourceArn, not the encryption context: kms:DescribeKey requests carry no encryption context.
            condition["StringLike"] = {"aws:SourceArn": arn}
    elif service.source == "logs" and account is not None:
        region = None if cloudformation else lookup_reference(near, graph, "aws_region", "name")
        condition["ArnLike"] = {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"}
                                if cloudformation else f"arn:aws:logs:{region or '*'}:{account}:*"}
    elif service.source == "bucket" and delivery.source_arn:
        condition["ArnLike"] = {"aws:SourceArn": delivery.source_arn}
    sid = service.sid
    taken = {st.sid for st in (_key_policy(key, graph) or Document()).statements} if key is not None else set()
    if sid in taken:  # a statement of that Sid exists (for another source): Sids are unique within a policy
        sid += re.sub(r"[^A-Za-z0-9]", "", delivery.source.name.title())
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": {"Service": service.principal},
                                 "Action": list(service.actions) if len(service.actions) > 1 else service.actions[0],
                                 "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def _dumps(statement: dict) -> str:
    return json.dumps(statement)

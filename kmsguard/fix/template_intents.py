"""Fix intents on CloudFormation/SAM resources as template edits (``template_edits`` writes them).

A model block of a template has the template's path as ``file_path`` and the
logical ID as ``address``; its intent speaks the provider's argument names,
mapped back here to the template's properties (``enable_key_rotation`` ->
``EnableKeyRotation``). Each edit reads the template as it is when applied,
so several findings on one file build on each other. Like Terraform, a value
written through a parameter (``!Ref Window``) is changed at the parameter's
``Default``, never replaced by a literal; a value computed by another
intrinsic (``Fn::If``, ``Fn::FindInMap``, ``Fn::ImportValue``) is refused.
CDK output is never edited: the refusal names the construct property to set.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from kmsguard.fix.errors import EditRefused
from kmsguard.fix.source_advice import cdk_advice_for, is_cdk_output
from kmsguard.fix.template_edits import append_item, set_value
from kmsguard.fix.template_nodes import load_data
from kmsguard.fix.terraform_sites import Edit
from kmsguard.model.fix_intents import (
    AddKeyPolicyStatement,
    AddRoleStatement,
    Intent,
    SetAttribute,
    UseCustomerKey,
    subject,
)
from kmsguard.model.resources import Block
from kmsguard.model.values import CLOUDFORMATION_NAMES

Step = tuple[str, tuple, Any, Any]  # ("set" | "append", path, value, after)
POLICY_NAME = "kms-access"  # the Policies entry kmsguard adds to a role
ROOT_STATEMENT = {"Sid": "EnableIamPolicies", "Effect": "Allow",
                  "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                  "Action": "kms:*", "Resource": "*"}


def edits_for(intent: Intent) -> list[Edit]:
    """The template edit an intent asks for, or EditRefused with the reason (CDK output: what to set instead)."""
    block = subject(intent)
    if block is None:
        raise EditRefused(f"{type(intent).__name__} names no template resource")
    steps, what, advice = _plan(intent, block)
    if is_cdk_output(block.file_path):
        raise EditRefused(cdk_advice_for(block.file_path, *advice))
    fmt = "json" if block.file_path.endswith(".json") else "yaml"

    def apply(text: str, _node: Any) -> str:
        style = "json" if text.lstrip("\ufeff \t\r\n").startswith("{") else fmt
        for kind, path, value, after in steps(load_data(text, style)):
            text = append_item(text, path, value, style) if kind == "append" else \
                set_value(text, path, value, style, after=after)
        return text

    file = os.path.realpath(block.file_path)
    key = (file, type(intent).__name__, block.address, json.dumps(_describe(intent), sort_keys=True, default=str))
    conflict = key if isinstance(intent, (AddRoleStatement, AddKeyPolicyStatement)) else key[:3]
    return [Edit(block.file_path, ("template",), key, conflict, apply, what)]


def property_path(model_path: tuple) -> tuple:
    """A model argument path as the template's property path (``("enable_key_rotation",)`` -> EnableKeyRotation)."""
    steps, path = list(model_path), []
    if steps[:2] == ["server_side_encryption_configuration", 0]:  # a bucket's own encryption
        steps = steps[2:]
    if steps[:1] == ["rule"] and len(steps) > 1:
        path += ["BucketEncryption", "ServerSideEncryptionConfiguration", steps[1]]
        steps = steps[2:]
    if steps[:2] == ["apply_server_side_encryption_by_default", 0]:
        path.append("ServerSideEncryptionByDefault")
        steps = steps[2:]
    for step in steps:
        name = CLOUDFORMATION_NAMES.get(step) if isinstance(step, str) else None
        if name is None or "." in name:
            raise EditRefused(f"kmsguard does not know the template property for {step!r}")
        path.append(name)
    return tuple(path)


def _plan(intent: Intent, block: Block) -> tuple[Callable[[dict], list[Step]], str, tuple]:
    """(steps from the template's data, what the summary says, (logical ID, property, value) for CDK advice)."""
    logical_id = block.address
    if isinstance(intent, SetAttribute):
        path = property_path(intent.path)
        return (lambda data: _set_attribute(data, logical_id, path, intent.value),
                f"{logical_id}.{'.'.join(map(str, path))}", (logical_id, str(path[-1]), intent.value))
    if isinstance(intent, UseCustomerKey):
        prop = "SSEAlgorithm=AES256" if intent.sse_s3 else "BucketEncryption"
        return (lambda data: _use_customer_key(data, intent),
                f"{logical_id} default encryption", (logical_id, prop, None))
    if isinstance(intent, AddRoleStatement):
        return (lambda data: _role_statement(data, logical_id, intent.statement),
                f"{logical_id} Policies", (_function_of(block) or logical_id, "Policies", intent.statement))
    if isinstance(intent, AddKeyPolicyStatement):
        return (lambda data: _key_policy_statement(data, logical_id, intent.statement),
                f"{logical_id} KeyPolicy", (logical_id, "KeyPolicy", intent.statement))
    raise EditRefused(f"kmsguard fix does not write {type(intent).__name__} changes to templates")


def _describe(intent: Intent) -> Any:
    if isinstance(intent, SetAttribute):
        return [intent.path, intent.value]
    if isinstance(intent, UseCustomerKey):
        key = intent.key.address if isinstance(intent.key, Block) else intent.key
        return [key, intent.sse_s3]
    return getattr(intent, "statement", None)


# --- each kind of intent --------------------------------------------------------------------

def _resource(data: dict, logical_id: str) -> dict:
    resource = (data.get("Resources") or {}).get(logical_id)
    if not isinstance(resource, dict):
        raise EditRefused(f"the template has no resource {logical_id}")
    return resource


def _set_attribute(data: dict, logical_id: str, path: tuple, value: Any) -> list[Step]:
    """Set the property where its value is written: the literal, or the Default of the parameter it refers to."""
    node: Any = _resource(data, logical_id).get("Properties") or {}
    for depth, step in enumerate(path):
        if _intrinsic(node):
            raise EditRefused(f"{logical_id}.{'.'.join(map(str, path[:depth]))} is computed with "
                              f"{next(iter(node))}: change it by hand")
        present = (isinstance(node, dict) and step in node) or (isinstance(node, list) and isinstance(step, int)
                                                              and step < len(node))
        if not present:
            break
        node = node[step]
    else:
        if isinstance(node, dict) and set(node) == {"Ref"}:
            return [_parameter_default(data, logical_id, path, node["Ref"], value)]
        if _intrinsic(node):
            raise EditRefused(f"{logical_id}.{'.'.join(map(str, path))} is computed with {next(iter(node))}: "
                              "change it by hand")
    return [("set", ("Resources", logical_id, "Properties") + path, value, None)]


def _parameter_default(data: dict, logical_id: str, path: tuple, name: Any, value: Any) -> Step:
    parameter = (data.get("Parameters") or {}).get(name)
    where = f"{logical_id}.{'.'.join(map(str, path))}"
    if not isinstance(parameter, dict) or "Default" not in parameter:
        raise EditRefused(f"{where} comes from {name}, which has no Default: set the value where the stack is deployed")
    if str(parameter.get("Type", "")).startswith("AWS::SSM::"):
        raise EditRefused(f"{where} comes from the SSM parameter named by {name}: change it in Parameter Store")
    old = parameter["Default"]
    new = (json.dumps(value) if isinstance(value, bool) else str(value)) if isinstance(old, str) else value
    return ("set", ("Parameters", name, "Default"), new, None)


def _use_customer_key(data: dict, intent: UseCustomerKey) -> list[Step]:
    bucket = intent.bucket.address
    properties = _resource(data, bucket).get("Properties") or {}
    steps: list[Step] = []
    key: Any = None
    if not intent.sse_s3:
        key, steps = _key_for(data, intent)
    encryption = properties.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, dict) else None
    default: dict = {"SSEAlgorithm": "AES256"} if intent.sse_s3 else {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    base = ("Resources", bucket, "Properties", "BucketEncryption")
    if encryption is None:
        rule: dict = {"ServerSideEncryptionByDefault": default}
        if not intent.sse_s3:
            rule["BucketKeyEnabled"] = True
        return steps + [("set", base, {"ServerSideEncryptionConfiguration": [rule]}, None)]
    if not isinstance(rules, list) or not rules or not all(isinstance(r, dict) and not _intrinsic(r) for r in rules):
        raise EditRefused(f"{bucket}.BucketEncryption is not written as a list of rules: change it by hand")
    for index, rule in enumerate(rules):
        at = base + ("ServerSideEncryptionConfiguration", index)
        old = rule.get("ServerSideEncryptionByDefault")
        dsse = isinstance(old, dict) and old.get("SSEAlgorithm") == "aws:kms:dsse"  # DSSE-KMS with the key is fine
        if _intrinsic(old) or (isinstance(old, dict) and any(_intrinsic(v) for v in old.values())):
            # A computed value (!If, !Ref, !GetAtt) is never replaced by a literal: change it where it is decided.
            raise EditRefused(f"{bucket}'s ServerSideEncryptionByDefault is computed by an intrinsic function, "
                              "not written as a literal: change it by hand")
        if intent.sse_s3 or not isinstance(old, dict):
            steps.append(("set", at + ("ServerSideEncryptionByDefault",), default, None))
        else:
            if old.get("SSEAlgorithm") != "aws:kms" and not dsse:
                steps.append(("set", at + ("ServerSideEncryptionByDefault", "SSEAlgorithm"), "aws:kms", None))
            steps.append(("set", at + ("ServerSideEncryptionByDefault", "KMSMasterKeyID"), key, None))
        if not intent.sse_s3 and not dsse and rule.get("BucketKeyEnabled") is not True:  # Bucket Keys: aws:kms only
            steps.append(("set", at + ("BucketKeyEnabled",), True, None))
    return steps


def _key_for(data: dict, intent: UseCustomerKey) -> tuple[Any, list[Step]]:
    """How the bucket names its key, and the steps that create a new key (with rotation and an alias) when needed."""
    bucket = intent.bucket.address
    if isinstance(intent.key, Block):
        if os.path.realpath(intent.key.file_path) != os.path.realpath(intent.bucket.file_path):
            raise EditRefused(f"the key {intent.key.address} is in another template: set {bucket}'s KMSMasterKeyID "
                              "to its ARN by hand (an export or a parameter)")
        return {"Fn::GetAtt": [intent.key.address, "Arn"]}, []
    if isinstance(intent.key, str):
        return intent.key, []
    if len(intent.candidates) > 1:
        names = ", ".join(c.address if isinstance(c, Block) else str(c) for c in intent.candidates)
        raise EditRefused(f"several customer keys could be {bucket}'s key ({names}): choose one by hand")
    resources = data.get("Resources") or {}
    key_id = _free_id(resources, f"{bucket}Key")
    alias_id = _free_id(resources, f"{key_id}Alias")
    name = (_resource(data, bucket).get("Properties") or {}).get("BucketName")
    alias: Any = "alias/" + re.sub(r"[^A-Za-z0-9/_-]", "-", name) if isinstance(name, str) else \
        {"Fn::Sub": "alias/${AWS::StackName}-" + bucket.lower()}
    key = {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
           "Properties": {"Description": f"Default encryption of {bucket} (added by kmsguard fix)",
                          "EnableKeyRotation": True, "PendingWindowInDays": 30,
                          "KeyPolicy": {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT]}}}
    alias_resource = {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": alias, "TargetKeyId": {"Ref": key_id}}}
    return {"Fn::GetAtt": [key_id, "Arn"]}, [("set", ("Resources", key_id), key, bucket),
                                              ("set", ("Resources", alias_id), alias_resource, key_id)]


def _role_statement(data: dict, logical_id: str, statement: dict) -> list[Step]:
    _no_terraform_references(statement, logical_id)
    resources = data.get("Resources") or {}
    function = logical_id[:-len("Role")] if logical_id.endswith("Role") else ""
    if logical_id not in resources and (resources.get(function) or {}).get("Type") == "AWS::Serverless::Function":
        return _sam_statement(resources[function], function, statement)
    role = _resource(data, logical_id)
    if role.get("Type") != "AWS::IAM::Role":
        raise EditRefused(f"{logical_id} is a {role.get('Type')}, not a role kmsguard can add a policy to")
    policies = (role.get("Properties") or {}).get("Policies")
    base = ("Resources", logical_id, "Properties", "Policies")
    if policies is not None and not isinstance(policies, list):
        raise EditRefused(f"{logical_id}.Policies is computed with an intrinsic: add the statement by hand")
    for index, policy in enumerate(policies or []):
        document = policy.get("PolicyDocument") if isinstance(policy, dict) else None
        if isinstance(policy, dict) and policy.get("PolicyName") == POLICY_NAME and isinstance(document, dict) \
                and isinstance(document.get("Statement"), list):
            if statement in document["Statement"]:
                return []
            return [("append", base + (index, "PolicyDocument", "Statement"), statement, None)]
    entry = {"PolicyName": POLICY_NAME, "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    return [("append", base, entry, None)]


def _sam_statement(function: dict, logical_id: str, statement: dict) -> list[Step]:
    """A SAM function's Policies take a policy document ({Statement: [...]}) as an entry."""
    policies = (function.get("Properties") or {}).get("Policies")
    base = ("Resources", logical_id, "Properties", "Policies")
    if policies is not None and not isinstance(policies, list):
        raise EditRefused(f"{logical_id}.Policies is a single entry: write it as a list, then run kmsguard fix again")
    if any(isinstance(p, dict) and statement in (p.get("Statement") or []) for p in policies or []):
        return []
    return [("append", base, {"Statement": [statement]}, None)]


def _key_policy_statement(data: dict, logical_id: str, statement: dict) -> list[Step]:
    _no_terraform_references(statement, logical_id)
    policy = (_resource(data, logical_id).get("Properties") or {}).get("KeyPolicy")
    base = ("Resources", logical_id, "Properties", "KeyPolicy")
    if policy is None:  # the default key policy: written out with the account-root statement it holds
        return [("set", base, {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, statement]}, None)]
    if not isinstance(policy, dict) or _intrinsic(policy) or not isinstance(policy.get("Statement"), list):
        raise EditRefused(f"{logical_id}.KeyPolicy is not written as a list of statements: add the statement by hand")
    if statement in policy["Statement"]:
        return []
    return [("append", base + ("Statement",), statement, None)]


def _no_terraform_references(statement: dict, where: str) -> None:
    if "${aws_" in json.dumps(statement) or "${data." in json.dumps(statement):
        raise EditRefused(f"the statement for {where} names a resource outside the template: add it by hand")


def _function_of(block: Block) -> str | None:
    """The SAM function whose generated role ``block`` is (``<Function>Role``)."""
    return block.address[:-len("Role")] if block.address.endswith("Role") else None


def _free_id(resources: dict, wanted: str) -> str:
    name, number = wanted, 2
    while name in resources:
        name, number = f"{wanted}{number}", number + 1
    return name


def _intrinsic(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and bool(re.match(r"^(?:Ref|Fn::\w+|Condition)$", next(iter(node))))

"""CloudFormation templates (YAML, JSON, SAM, CDK output) to the model the rules read.

The model speaks the Terraform AWS provider's vocabulary, so no rule is
written twice: each template resource becomes the equivalent ``model.Block``
(s), for example ``AWS::S3::Bucket`` an ``aws_s3_bucket`` with its inline
``server_side_encryption_configuration`` and ``logging`` (plus an
``aws_s3_bucket_replication_configuration`` for its replication), or a SAM
function the ``aws_iam_role`` SAM generates for it. docs/cloudformation.md has
the whole table.

Values are evaluated as CloudFormation would, before deployment: ``Ref``,
``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Split``, ``Fn::Select``,
``Fn::FindInMap``, ``Fn::If`` with ``Conditions`` (resources whose
``Condition`` is false are left out, as Checkov leaves them out), parameter
defaults, and pseudo parameters (stand-in values, see ``PSEUDO``). The
template is read from its file, so values Checkov half-rendered never reach
the rules. A ``Ref`` or ``Fn::GetAtt`` to a modelled resource becomes the
reference text (``${aws_kms_key.DataKey.arn}``) with an edge to the target,
as ``terraform.py`` writes references. What cannot be known before
deployment (``Fn::ImportValue``, a parameter without a default, an SSM
parameter, a condition on such a value) becomes a ``${...}`` text that no
rule passes, and the block's ``unknown`` says why.

Every block gets ``address`` = the resource's logical ID (Checkov names the
resource ``AWS::S3::Bucket.LogicalId``) and ``root`` = the template path, so
literal names link only within one template. Nothing here imports Checkov.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from kmsguard import sam_policy_templates
from kmsguard.model import Block
from kmsguard.references import is_unresolved, references_in

# Stand-ins for pseudo parameters: the stack's own account, region and partition. They
# keep ARNs well formed (a key policy's "arn:aws:iam::${AWS::AccountId}:root" names the
# account) and equal wherever the template builds the same ARN twice.
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIPPED_DIRS = {"node_modules", "__pycache__", ".terraform", ".git"}

# CloudFormation type -> (model type, attribute a Ref returns).
REF_ATTRIBUTE = {
    "aws_s3_bucket": "id",  # the bucket name
    "aws_kms_key": "key_id",
    "aws_kms_external_key": "id",
    "aws_kms_replica_key": "key_id",
    "aws_kms_alias": "name",
    "aws_iam_role": "name",
    "aws_iam_policy": "arn",  # Ref of AWS::IAM::ManagedPolicy is its ARN
    "aws_iam_role_policy": "id",
}
_KEY_ARN_FROM_ID = re.compile(
    rf"^arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/\$\{{(aws_kms_key|aws_kms_external_key|aws_kms_replica_key)\.([\w-]+)\.(?:key_id|id)\}}$")
LAMBDA_BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


class TemplateError(ValueError):
    """A file that looks like a template but cannot be read; the message says why."""


# --- reading files -----------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags; dates stay strings (policy ``Version: 2012-10-17``)."""


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value = _construct(loader, node)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _tag)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def read_template(path: str) -> dict | None:
    """The template in ``path``, None when the file is not a CloudFormation template."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if "Resources" not in text or "::" not in text:
        return None
    try:
        document = json.loads(text) if path.endswith(".json") else yaml.load(text, Loader=_Loader)  # noqa: S506
    except (ValueError, yaml.YAMLError) as error:
        if re.search(r"^\s*\"?Resources\"?\s*:", text, re.M) and re.search(r"Type\"?\s*:\s*[\"']?AWS::", text):
            raise TemplateError(f"{path} could not be parsed: {type(error).__name__}: {error}") from error
        return None
    if not isinstance(document, dict):
        return None
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not any(
            isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"] for r in resources.values()):
        return None
    return document


def template_files(root: str) -> list[str]:
    """Candidate template files under ``root`` (a directory or a file), sorted."""
    if os.path.isfile(root):
        return [os.path.abspath(root)]
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        found += [os.path.abspath(os.path.join(directory, f)) for f in sorted(files) if f.endswith(TEMPLATE_SUFFIXES)]
    return found


# --- evaluation ----------------------------------------------------------------------------

class _Unknown(str):
    """A value known only at deployment, written as ``${...}`` text."""


_NO_VALUE = object()  # AWS::NoValue: the property is removed


def _unknown(text: str) -> _Unknown:
    return _Unknown("${" + text + "}")


@dataclass
class Template:
    """One template's blocks and which blocks each logical ID stands for."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    # The block(s) a Checkov result on a resource judges; [] for a resource read that has none
    # (a SAM function with its own Role).
    by_logical_id: dict[str, list[Block]] = field(default_factory=dict)


def load(path: str) -> Template | None:
    """The model blocks of the template at ``path`` (None if it is not a template)."""
    document = read_template(path)
    if document is None:
        return None
    return _Reader(os.path.abspath(path), document).template()


class _Reader:
    def __init__(self, path: str, document: dict) -> None:
        self.path = path
        self.document = document
        self.parameters: dict[str, Any] = _dict(document.get("Parameters"))
        self.mappings: dict[str, Any] = _dict(document.get("Mappings"))
        self.conditions: dict[str, Any] = _dict(document.get("Conditions"))
        self.resources = {k: v for k, v in document["Resources"].items() if isinstance(v, dict)}
        self.pseudo = dict(PSEUDO, **{"AWS::StackName": _stack_name(path)})
        self.pseudo["AWS::StackId"] = (f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/"
                                       f"{self.pseudo['AWS::StackName']}/00000000-0000-0000-0000-000000000000")
        self._condition_values: dict[str, bool | None] = {}
        self.pruned: set[str] = set()
        self.targets: dict[str, tuple[str, Block]] = {}  # logical ID -> (model type, block) for Ref/GetAtt
        self.unknown: list[str] = []  # reasons collected while evaluating one resource

    # conditions
    def condition(self, name: Any, stack: tuple[str, ...] = ()) -> bool | None:
        if not isinstance(name, str) or name not in self.conditions or name in stack:
            self.unknown.append(f"condition {name!r} is not defined" if name not in stack else f"condition {name!r} is circular")
            return None
        if name not in self._condition_values:
            self._condition_values[name] = self._truth(self.conditions[name], stack + (name,))
        return self._condition_values[name]

    def _truth(self, node: Any, stack: tuple[str, ...]) -> bool | None:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            return None
        (function, argument), = node.items()
        if function == "Condition":
            return self.condition(argument, stack)
        arguments = argument if isinstance(argument, list) else [argument]
        if function == "Fn::Equals" and len(arguments) == 2:
            left, right = (self.value(a) for a in arguments)
            if _known(left) and _known(right):
                return _scalar(left) == _scalar(right)
            return None
        values = [self._truth(a, stack) for a in arguments]
        if function == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if function == "Fn::And":
            return False if False in values else None if None in values else True
        if function == "Fn::Or":
            return True if True in values else None if None in values else False
        return None

    # intrinsic functions
    def value(self, node: Any) -> Any:
        """``node`` evaluated: plain values, reference texts, or ``${...}`` for what is not known."""
        if isinstance(node, list):
            items = [self.value(item) for item in node]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, argument), = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._function(key, argument)
        evaluated = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in evaluated.items() if v is not _NO_VALUE}

    def _function(self, function: str, argument: Any) -> Any:
        handler: Callable[[Any], Any] | None = getattr(self, "_fn_" + function.replace("Fn::", "").lower(), None)
        if handler is None:
            self.unknown.append(f"{function} is not evaluated before deployment")
            return _unknown(f"{function} {_short(argument)}")
        return handler(argument)

    def _fn_ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return _unknown(f"Ref {_short(name)}")
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name.startswith("AWS::"):
            self.unknown.append(f"pseudo parameter {name} is known only at deployment")
            return _unknown(name)
        if name in self.parameters:
            return self._parameter(name)
        return self._resource_attribute(name, None)

    def _parameter(self, name: str) -> Any:
        declaration = self.parameters[name] if isinstance(self.parameters[name], dict) else {}
        kind = str(declaration.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            self.unknown.append(f"parameter {name} is read from SSM Parameter Store at deployment")
            return _unknown(name)
        if "Default" not in declaration:
            self.unknown.append(f"parameter {name} has no default")
            return _unknown(name)
        default = declaration["Default"]
        if (kind == "CommaDelimitedList" or kind.startswith("List<")) and isinstance(default, str):
            return [item.strip() for item in default.split(",")]
        return default

    def _resource_attribute(self, name: str, attribute: str | None) -> Any:
        spelled = name if attribute is None else f"{name}.{attribute}"
        target = self.targets.get(name)
        if target is None:
            if name in self.pruned:
                self.unknown.append(f"{name} is not created (its Condition is false)")
            elif name not in self.resources:
                self.unknown.append(f"{name} is not defined in this template")
            return _unknown(spelled)
        model_type, block = target
        model_attribute = REF_ATTRIBUTE.get(model_type, "id") if attribute is None else _snake(attribute)
        return "${" + f"{model_type}.{block.name}.{model_attribute}" + "}"

    def _fn_getatt(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            return _unknown(f"Fn::GetAtt {_short(argument)}")
        name, attribute = argument[0], self.value(argument[1])
        if not isinstance(name, str) or not isinstance(attribute, str) or not _known(attribute):
            return _unknown(f"Fn::GetAtt {_short(argument)}")
        return self._resource_attribute(name, attribute)

    def _fn_sub(self, argument: Any) -> Any:
        variables: Any = {}
        if isinstance(argument, str):
            text = argument
        elif isinstance(argument, list) and len(argument) in (1, 2):
            text, variables = argument[0], argument[1] if len(argument) == 2 else {}
        else:
            text = None
        if not isinstance(text, str) or not isinstance(variables, dict):
            return _unknown(f"Fn::Sub {_short(argument)}")
        unknown = False

        def substitute(match: re.Match) -> str:
            nonlocal unknown
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                found = self.value(variables[inner])
            elif "." in inner and inner.split(".", 1)[0] not in self.parameters and not inner.startswith("AWS::"):
                found = self._resource_attribute(*inner.split(".", 1))
            else:
                found = self._fn_ref(inner)
            if isinstance(found, _Unknown):
                unknown = True
            if found is _NO_VALUE or not isinstance(found, (str, int, float)) or isinstance(found, bool):
                unknown = True
                return "${" + inner + "}"
            return str(found)

        result = re.sub(r"\$\{([^}]*)\}", substitute, text)
        return _Unknown(result) if unknown else _key_arn(result)

    def _fn_join(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return _unknown(f"Fn::Join {_short(argument)}")
        delimiter, items = self.value(argument[0]), self.value(argument[1])
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return _unknown(f"Fn::Join {_short(argument)}")
        parts = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                return _unknown(f"Fn::Join {_short(argument)}")
            parts.append(str(item))
        joined = delimiter.join(parts)
        return _Unknown(joined) if any(isinstance(i, _Unknown) for i in items) else _key_arn(joined)

    def _fn_split(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            delimiter, text = self.value(argument[0]), self.value(argument[1])
            if isinstance(delimiter, str) and delimiter and isinstance(text, str) and not is_unresolved(text):
                return text.split(delimiter)
        return _unknown(f"Fn::Split {_short(argument)}")

    def _fn_select(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            index, items = self.value(argument[0]), self.value(argument[1])
            try:
                position = int(index)
            except (TypeError, ValueError):
                position = -1
            if isinstance(items, list) and 0 <= position < len(items):
                return items[position]
        return _unknown(f"Fn::Select {_short(argument)}")

    def _fn_findinmap(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) >= 3:
            names = [self.value(a) for a in argument[:3]]
            if all(isinstance(n, (str, int)) and _known(n) for n in names):
                found: Any = self.mappings
                for name in names:
                    found = found.get(str(name)) if isinstance(found, dict) else None
                if found is not None:
                    return self.value(found)
            if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                return self.value(argument[3]["DefaultValue"])
        self.unknown.append(f"Fn::FindInMap {_short(argument)} has no value")
        return _unknown(f"Fn::FindInMap {_short(argument)}")

    def _fn_if(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            return _unknown(f"Fn::If {_short(argument)}")
        chosen = self.condition(argument[0])
        if chosen is None:
            when_true, when_false = self.value(argument[1]), self.value(argument[2])
            if when_true == when_false and not isinstance(when_true, _Unknown):
                return when_true
            self.unknown.append(f"condition {argument[0]} is not known before deployment")
            return _unknown(f"Fn::If {argument[0]}")
        return self.value(argument[1] if chosen else argument[2])

    def _fn_importvalue(self, argument: Any) -> Any:
        name = self.value(argument)
        self.unknown.append(f"Fn::ImportValue {_short(name)} is another stack's export, known only at deployment")
        return _unknown(f"Fn::ImportValue {_short(name)}")

    def _fn_base64(self, argument: Any) -> Any:
        return self.value(argument)

    def _fn_tojsonstring(self, argument: Any) -> Any:
        evaluated = self.value(argument)
        return _Unknown(json.dumps(evaluated)) if _contains_unknown(evaluated) else json.dumps(evaluated)

    def _fn_length(self, argument: Any) -> Any:
        evaluated = self.value(argument)
        return len(evaluated) if isinstance(evaluated, list) else _unknown(f"Fn::Length {_short(argument)}")

    # resources
    def template(self) -> Template:
        template = Template(self.path)
        pending = self._declare_all(template)
        for _logical_id, resource, made in pending:
            self.unknown = []
            if "Condition" in resource and self.condition(resource["Condition"]) is None:
                self.unknown.append(f"its Condition {resource['Condition']} is not known before deployment")
            properties = self.value(resource.get("Properties") or {})
            made.fill(self, properties if isinstance(properties, dict) else {})
            made.block.unknown = tuple(dict.fromkeys(self.unknown))
        for block in template.blocks:
            block.out = list(_edges(block.config, self.targets))
        return template

    def _declare_all(self, template: Template) -> list[tuple[str, dict, "_Made"]]:
        """The blocks of every resource that is created (its Condition is not false), before any value is read."""
        kept: dict[str, dict] = {}
        for logical_id, resource in self.resources.items():
            if "Condition" in resource and self.condition(resource["Condition"]) is False:
                self.pruned.add(logical_id)
                continue
            kept[logical_id] = resource
        pending = []
        for logical_id, resource in kept.items():
            if resource.get("Type") in TRANSLATIONS:
                template.by_logical_id[logical_id] = []  # read, even where it makes no block to judge
            for made in self._declare(logical_id, resource):
                pending.append((logical_id, resource, made))
                template.blocks.append(made.block)
                if made.primary:
                    template.by_logical_id.setdefault(logical_id, []).append(made.block)
                if made.referable_as:
                    self.targets[made.referable_as] = (made.block.type, made.block)
        return pending

    def _declare(self, logical_id: str, resource: dict) -> list["_Made"]:
        kind = resource.get("Type")
        translate = TRANSLATIONS.get(kind) if isinstance(kind, str) else None
        if translate is None:
            return []
        return translate(self, logical_id, resource)

    def block(self, model_type: str, name: str, address: str | None = None) -> Block:
        return Block(key=(self.path, model_type, address or name), block_type="resource", type=model_type, name=name,
                     address=address or name, file_path=self.path, config={}, root=self.path)


@dataclass
class _Made:
    """A model block made for a template resource, and how its config is filled from the evaluated properties."""

    block: Block
    fill_config: Callable[["_Reader", dict], dict]
    primary: bool = True  # the block a Checkov result on the resource judges
    referable_as: str | None = None  # the logical ID a Ref/GetAtt uses to reach it

    def fill(self, reader: "_Reader", properties: dict) -> None:
        self.block.config = self.fill_config(reader, properties)


# --- translations, CloudFormation property -> provider argument ----------------------------

def _w(value: Any) -> list:
    """Checkov's shape: an attribute's value wrapped in a one-element list."""
    return [value]


def _set(config: dict, attribute: str, properties: dict, name: str, convert: Callable[[Any], Any] | None = None) -> None:
    if name in properties:
        value = properties[name]
        config[attribute] = _w(convert(value) if convert else value)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _policy_json(value: Any) -> Any:
    """A policy document as the provider takes it: JSON text (a ``${...}`` text when not known)."""
    if isinstance(value, str):
        return value
    text = json.dumps(value)
    return _unknown(f"policy with values known only at deployment: {text}") if isinstance(value, _Unknown) else text


def _bucket(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    bucket = reader.block("aws_s3_bucket", logical_id)

    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "bucket", p, "BucketName")
        if "BucketEncryption" in p:
            config["server_side_encryption_configuration"] = [{"rule": _encryption_rules(p["BucketEncryption"])}]
        if "LoggingConfiguration" in p:
            logging = _dict(p["LoggingConfiguration"])
            # Without DestinationBucketName, S3 delivers the logs to the bucket itself.
            target = logging.get("DestinationBucketName", "${aws_s3_bucket." + logical_id + ".id}")
            entry = {"target_bucket": _w(target)}
            if "LogFilePrefix" in logging:
                entry["target_prefix"] = _w(logging["LogFilePrefix"])
            config["logging"] = [entry]
        return config

    made = [_Made(bucket, fill, referable_as=logical_id)]
    replication = _dict(_dict(resource.get("Properties")).get("ReplicationConfiguration")) or (
        "ReplicationConfiguration" in _dict(resource.get("Properties")))
    if replication:
        block = reader.block("aws_s3_bucket_replication_configuration", logical_id, f"{logical_id}.ReplicationConfiguration")
        made.append(_Made(block, lambda r, p: _replication(logical_id, p.get("ReplicationConfiguration")), primary=False))
    return made


def _encryption_rules(encryption: Any) -> list[dict]:
    rules = _dict(encryption).get("ServerSideEncryptionConfiguration")
    if not isinstance(rules, list):
        why = rules if isinstance(rules, _Unknown) else _unknown("BucketEncryption is not known before deployment")
        return [{"apply_server_side_encryption_by_default": [{"sse_algorithm": _w(why)}]}]
    result = []
    for rule in rules:
        rule = _dict(rule)
        entry: dict[str, Any] = {}
        if "ServerSideEncryptionByDefault" in rule:
            default = _dict(rule["ServerSideEncryptionByDefault"])
            by_default: dict[str, Any] = {}
            _set(by_default, "sse_algorithm", default, "SSEAlgorithm")
            _set(by_default, "kms_master_key_id", default, "KMSMasterKeyID")
            entry["apply_server_side_encryption_by_default"] = [by_default]
        _set(entry, "bucket_key_enabled", rule, "BucketKeyEnabled")
        result.append(entry)
    return result


def _replication(logical_id: str, replication: Any) -> dict:
    replication = _dict(replication)
    config: dict[str, Any] = {"bucket": _w("${aws_s3_bucket." + logical_id + ".id}")}
    _set(config, "role", replication, "Role")
    rules = []
    for rule in replication.get("Rules") or []:
        rule = _dict(rule)
        entry: dict[str, Any] = {}
        _set(entry, "id", rule, "Id")
        _set(entry, "status", rule, "Status")
        destination = _dict(rule.get("Destination"))
        target: dict[str, Any] = {}
        _set(target, "bucket", destination, "Bucket")
        if "EncryptionConfiguration" in destination:
            encryption: dict[str, Any] = {}
            _set(encryption, "replica_kms_key_id", _dict(destination["EncryptionConfiguration"]), "ReplicaKmsKeyID")
            target["encryption_configuration"] = [encryption]
        entry["destination"] = [target]
        sse = _dict(_dict(rule.get("SourceSelectionCriteria")).get("SseKmsEncryptedObjects"))
        if sse:
            status: dict[str, Any] = {}
            _set(status, "status", sse, "Status")
            entry["source_selection_criteria"] = [{"sse_kms_encrypted_objects": [status]}]
        rules.append(entry)
    config["rule"] = rules
    return config


def _key(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    origin = reader.value(_dict(resource.get("Properties")).get("Origin"))
    external = origin == "EXTERNAL"

    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "description", p, "Description")
        if not external:
            _set(config, "enable_key_rotation", p, "EnableKeyRotation")
            _set(config, "rotation_period_in_days", p, "RotationPeriodInDays")
            _set(config, "customer_master_key_spec", p, "KeySpec")
        _set(config, "key_usage", p, "KeyUsage")
        _set(config, "deletion_window_in_days", p, "PendingWindowInDays")
        _set(config, "multi_region", p, "MultiRegion")
        _set(config, "is_enabled", p, "Enabled")
        _set(config, "policy", p, "KeyPolicy", _policy_json)
        return config

    model_type = "aws_kms_external_key" if external else "aws_kms_key"
    return [_Made(reader.block(model_type, logical_id), fill, referable_as=logical_id)]


def _replica_key(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "primary_key_arn", p, "PrimaryKeyArn")
        _set(config, "description", p, "Description")
        _set(config, "deletion_window_in_days", p, "PendingWindowInDays")
        _set(config, "enabled", p, "Enabled")
        _set(config, "policy", p, "KeyPolicy", _policy_json)
        return config

    return [_Made(reader.block("aws_kms_replica_key", logical_id), fill, referable_as=logical_id)]


def _alias(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "AliasName")
        _set(config, "target_key_id", p, "TargetKeyId")
        return config

    return [_Made(reader.block("aws_kms_alias", logical_id), fill, referable_as=logical_id)]


def _inline_policies(policies: Any) -> list[dict]:
    if isinstance(policies, _Unknown):
        return [{"name": _w("Policies"), "policy": _w(policies)}]
    result = []
    for policy in policies if isinstance(policies, list) else []:
        policy = _dict(policy)
        result.append({"name": _w(policy.get("PolicyName")), "policy": _w(_policy_json(policy.get("PolicyDocument")))})
    return result


def _role(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "RoleName")
        _set(config, "path", p, "Path")
        _set(config, "assume_role_policy", p, "AssumeRolePolicyDocument", _policy_json)
        if "Policies" in p:
            config["inline_policy"] = _inline_policies(p["Policies"])
        _set(config, "managed_policy_arns", p, "ManagedPolicyArns")
        return config

    return [_Made(reader.block("aws_iam_role", logical_id), fill, referable_as=logical_id)]


def _policy(name_property: str) -> Callable[[_Reader, str, dict], list[_Made]]:
    """AWS::IAM::ManagedPolicy and AWS::IAM::Policy: an ``aws_iam_policy`` attached to its ``Roles``."""

    def translate(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
        def fill(reader: _Reader, p: dict) -> dict:
            config: dict[str, Any] = {}
            _set(config, "name", p, name_property)
            _set(config, "path", p, "Path")
            _set(config, "policy", p, "PolicyDocument", _policy_json)
            return config

        def attach(reader: _Reader, p: dict) -> dict:
            return {"roles": _w(p.get("Roles")), "policy_arn": _w("${aws_iam_policy." + logical_id + ".arn}")}

        made = [_Made(reader.block("aws_iam_policy", logical_id), fill, referable_as=logical_id)]
        if "Roles" in _dict(resource.get("Properties")):
            made.append(_Made(reader.block("aws_iam_policy_attachment", logical_id, f"{logical_id}.Roles"), attach,
                              primary=False))
        return made

    return translate


def _role_policy(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "name", p, "PolicyName")
        _set(config, "role", p, "RoleName")
        _set(config, "policy", p, "PolicyDocument", _policy_json)
        return config

    return [_Made(reader.block("aws_iam_role_policy", logical_id), fill, referable_as=logical_id)]


def _sam_function(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    """The execution role SAM generates (``<Function>Role``) when the function names no ``Role``."""
    properties = _dict(resource.get("Properties"))
    if "Role" in properties:
        return []  # the function uses that role, judged where it is declared
    role_id = f"{logical_id}Role"

    def fill(reader: _Reader, p: dict) -> dict:
        managed: list[Any] = [LAMBDA_BASIC_EXECUTION]
        inline: list[dict] = []
        policies = p.get("Policies")
        items = policies if isinstance(policies, list) else [] if policies is None else [policies]
        for index, item in enumerate(items):
            name = f"{logical_id}RolePolicy{index}"
            if isinstance(item, str):  # a managed policy: AWS managed by name, or an ARN (or a reference to one)
                managed.append(item if item.startswith("arn:") or is_unresolved(item)
                               else f"arn:aws:iam::aws:policy/{item}")
            elif isinstance(item, dict) and "Statement" in item:
                inline.append({"name": _w(name), "policy": _w(_policy_json(item))})
            elif isinstance(item, dict) and len(item) == 1:
                inline.append({"name": _w(name), "policy": _w(_policy_template(reader, *next(iter(item.items()))))})
            else:
                inline.append({"name": _w(name), "policy": _w(_unknown(f"SAM Policies entry {_short(item)}"))})
        config: dict[str, Any] = {
            "assume_role_policy": _w(json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}}]})),
            "managed_policy_arns": _w(managed),
        }
        if inline:
            config["inline_policy"] = inline
        return config

    return [_Made(reader.block("aws_iam_role", role_id), fill, referable_as=role_id)]


def _policy_template(reader: _Reader, name: str, arguments: Any) -> str:
    """A SAM policy template expanded as SAM expands it, as policy JSON."""
    if name not in sam_policy_templates.NAMES:
        return _unknown(f"SAM policy template {name}, which kmsguard does not know")
    if name not in sam_policy_templates.DEFINITIONS:
        return json.dumps({"Version": "2012-10-17", "Statement": []})  # grants no S3 object or KMS action
    template = sam_policy_templates.DEFINITIONS[name]
    arguments = arguments if isinstance(arguments, dict) else {}
    missing = [p for p in template.get("Parameters", {}) if p not in arguments]
    if missing:
        return _unknown(f"SAM policy template {name} without {', '.join(missing)}")
    definition = _substitute_parameters(copy.deepcopy(template["Definition"]), arguments)
    return _policy_json(reader.value(definition))


def _substitute_parameters(node: Any, arguments: dict) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in arguments:
            return arguments[node["Ref"]]
        return {k: _substitute_parameters(v, arguments) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute_parameters(v, arguments) for v in node]
    return node


def _load_balancer(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    """ELBv2: an ``aws_lb`` whose log deliveries (LoadBalancerAttributes) mark log-target buckets for s3.py."""
    def fill(reader: _Reader, p: dict) -> dict:
        config: dict[str, Any] = {}
        _set(config, "load_balancer_type", p, "Type")
        attributes = p.get("LoadBalancerAttributes")
        pairs = {_dict(a).get("Key"): _dict(a).get("Value") for a in attributes} if isinstance(attributes, list) else {}
        for logs in ("access_logs", "connection_logs"):
            if f"{logs}.s3.bucket" in pairs:
                config[logs] = [{"bucket": _w(pairs[f"{logs}.s3.bucket"]),
                                 "enabled": _w(pairs.get(f"{logs}.s3.enabled", "false"))}]
        return config

    return [_Made(reader.block("aws_lb", logical_id), fill, primary=False)]


def _classic_load_balancer(reader: _Reader, logical_id: str, resource: dict) -> list[_Made]:
    """Classic ELB: an ``aws_elb`` whose AccessLoggingPolicy marks a log-target bucket for s3.py."""
    def fill(reader: _Reader, p: dict) -> dict:
        policy = _dict(p.get("AccessLoggingPolicy"))
        if "S3BucketName" not in policy:
            return {}
        return {"access_logs": [{"bucket": _w(policy["S3BucketName"]), "enabled": _w(policy.get("Enabled", False))}]}

    return [_Made(reader.block("aws_elb", logical_id), fill, primary=False)]


TRANSLATIONS: dict[str, Callable[[_Reader, str, dict], list[_Made]]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancing::LoadBalancer": _classic_load_balancer,
    "AWS::S3::Bucket": _bucket,
    "AWS::KMS::Key": _key,
    "AWS::KMS::ReplicaKey": _replica_key,
    "AWS::KMS::Alias": _alias,
    "AWS::IAM::Role": _role,
    "AWS::IAM::ManagedPolicy": _policy("ManagedPolicyName"),
    "AWS::IAM::Policy": _policy("PolicyName"),
    "AWS::IAM::RolePolicy": _role_policy,
    "AWS::Serverless::Function": _sam_function,
}


# --- helpers -------------------------------------------------------------------------------

def _edges(config: Any, targets: dict[str, tuple[str, Block]], label: str = "") -> Iterator[tuple[str, Block]]:
    """(attribute path, target) for every reference text in a block's config, as terraform.py labels them."""
    by_name = {(model_type, block.name): block for model_type, block in targets.values()}
    yield from _walk(config, by_name, label)


def _walk(value: Any, by_name: dict[tuple[str, str], Block], label: str) -> Iterator[tuple[str, Block]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, by_name, f"{label}.{key}" if label else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, by_name, label)
    elif isinstance(value, str):
        for ref in references_in(value):
            target = by_name.get((ref.type, ref.name))
            if target is not None:
                yield label, target


def _key_arn(text: str) -> str:
    """``arn:aws:kms:<this region>:<this account>:key/<a key's ID>`` is that key's ARN."""
    match = _KEY_ARN_FROM_ID.match(text)
    return "${" + f"{match.group(1)}.{match.group(2)}.arn" + "}" if match else text


def _known(value: Any) -> bool:
    return not isinstance(value, _Unknown) and not _contains_unknown(value) and value is not _NO_VALUE


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, _Unknown):
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return False


def _scalar(value: Any) -> str:
    """How Fn::Equals compares: as strings (``true`` equals "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _snake(attribute: str) -> str:
    """``Arn`` -> ``arn``, ``KeyId`` -> ``key_id`` (CloudFormation attribute to provider attribute)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", attribute.replace(".", "_")).lower()


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def _stack_name(path: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(path).name.split(".")[0]).strip("-") or "stack"
    return stem[:64]

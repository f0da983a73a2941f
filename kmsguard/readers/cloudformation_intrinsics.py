"""CloudFormation values evaluated before deployment: parameters, pseudo parameters, conditions, intrinsic functions.

``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Split``,
``Fn::Select``, ``Fn::FindInMap``, ``Fn::If`` (with ``Conditions``),
``Fn::Base64``, ``Fn::ToJsonString`` and ``Fn::Length`` are evaluated. A
``Ref`` or ``Fn::GetAtt`` to a modelled resource becomes the reference text
(``${aws_kms_key.DataKey.arn}``), as the Terraform reader writes references.
What cannot be known before deployment becomes ``${...}`` text (``Unknown``),
and ``unknown`` collects why.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from kmsguard.model.resources import Block
from kmsguard.model.values import CLOUDFORMATION_ACCOUNT_ID, CLOUDFORMATION_REGION, is_unresolved
from kmsguard.readers.cloudformation_parameters import DeploymentValues

# Stand-ins for pseudo parameters: the stack's own account, region and partition. They
# keep ARNs well formed (a key policy's "arn:aws:iam::${AWS::AccountId}:root" names the
# account) and equal wherever the template builds the same ARN twice.
ACCOUNT_ID = CLOUDFORMATION_ACCOUNT_ID
REGION = CLOUDFORMATION_REGION
PSEUDO = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}

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


class Unknown(str):
    """A value known only at deployment, written as ``${...}`` text."""


NO_VALUE = object()  # AWS::NoValue: the property is removed


def unknown_value(text: str) -> Unknown:
    return Unknown("${" + text + "}")


class TemplateValues:
    """A template's parameters, mappings and conditions, and its values evaluated as CloudFormation would."""

    def __init__(self, path: str, document: dict, deployment: DeploymentValues | None = None) -> None:
        self.path = path
        self.document = document
        self.deployment = deployment  # values a deployment passes (parameter file, samconfig.toml)
        self.parameters: dict[str, Any] = as_dict(document.get("Parameters"))
        self.mappings: dict[str, Any] = as_dict(document.get("Mappings"))
        self.conditions: dict[str, Any] = as_dict(document.get("Conditions"))
        self.resources = {k: v for k, v in document["Resources"].items() if isinstance(v, dict)}
        self.pseudo = dict(PSEUDO, **{"AWS::StackName": stack_name(path)})
        self.pseudo["AWS::StackId"] = (f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/"
                                       f"{self.pseudo['AWS::StackName']}/00000000-0000-0000-0000-000000000000")
        self._condition_values: dict[str, bool | None] = {}
        self._condition_reasons: dict[str, list[str]] = {}  # why a condition is unknown, for each use
        self.pruned: set[str] = set()
        self.targets: dict[str, tuple[str, Block]] = {}  # logical ID -> (model type, block) for Ref/GetAtt
        self.unknown: list[str] = []  # reasons collected while evaluating one resource

    # conditions
    def condition(self, name: Any, stack: tuple[str, ...] = ()) -> bool | None:
        if not isinstance(name, str) or name not in self.conditions or name in stack:
            self.unknown.append(f"condition {name!r} is not defined" if name not in stack else f"condition {name!r} is circular")
            return None
        if name not in self._condition_values:
            before = len(self.unknown)
            self._condition_values[name] = self._truth(self.conditions[name], stack + (name,))
            self._condition_reasons[name] = self.unknown[before:]
        else:  # memoised: its reasons still belong to this resource
            self.unknown.extend(self._condition_reasons.get(name, ()))
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
            if known(left) and known(right):
                return scalar(left) == scalar(right)
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
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, argument), = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._function(key, argument)
        evaluated = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in evaluated.items() if v is not NO_VALUE}

    def _function(self, function: str, argument: Any) -> Any:
        handler: Callable[[Any], Any] | None = getattr(self, "_fn_" + function.replace("Fn::", "").lower(), None)
        if handler is None:
            self.unknown.append(f"{function} is not evaluated before deployment")
            return unknown_value(f"{function} {short(argument)}")
        return handler(argument)

    def _fn_ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return unknown_value(f"Ref {short(name)}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name.startswith("AWS::"):
            self.unknown.append(f"pseudo parameter {name} is known only at deployment")
            return unknown_value(name)
        if name in self.parameters:
            return self._parameter(name)
        return self._resource_attribute(name, None)

    def _parameter(self, name: str) -> Any:
        declaration = self.parameters[name] if isinstance(self.parameters[name], dict) else {}
        kind = str(declaration.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            self.unknown.append(f"parameter {name} is read from SSM Parameter Store at deployment")
            return unknown_value(name)
        given = self.deployment.values if self.deployment is not None else {}
        if self.deployment is not None and name in self.deployment.previous:
            self.unknown.append(f"parameter {name} keeps the running stack's value "
                                f"(UsePreviousValue in {self.deployment.source})")
            return unknown_value(name)
        if name in given:
            default: Any = given[name]
        elif "Default" in declaration:
            default = declaration["Default"]
        else:
            self.unknown.append(f"parameter {name} has no default and no deployment value")
            return unknown_value(name)
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
            return unknown_value(spelled)
        model_type, block = target
        model_attribute = REF_ATTRIBUTE.get(model_type, "id") if attribute is None else snake(attribute)
        return "${" + f"{model_type}.{block.name}.{model_attribute}" + "}"

    def _fn_getatt(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            return unknown_value(f"Fn::GetAtt {short(argument)}")
        name, attribute = argument[0], self.value(argument[1])
        if not isinstance(name, str) or not isinstance(attribute, str) or not known(attribute):
            return unknown_value(f"Fn::GetAtt {short(argument)}")
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
            return unknown_value(f"Fn::Sub {short(argument)}")
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
            if isinstance(found, Unknown):
                unknown = True
            if found is NO_VALUE or not isinstance(found, (str, int, float)) or isinstance(found, bool):
                unknown = True
                return "${" + inner + "}"
            return str(found)

        result = re.sub(r"\$\{([^}]*)\}", substitute, text)
        return Unknown(result) if unknown else key_arn(result)

    def _fn_join(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return unknown_value(f"Fn::Join {short(argument)}")
        delimiter, items = self.value(argument[0]), self.value(argument[1])
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return unknown_value(f"Fn::Join {short(argument)}")
        parts = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                return unknown_value(f"Fn::Join {short(argument)}")
            parts.append(str(item))
        joined = delimiter.join(parts)
        return Unknown(joined) if any(isinstance(i, Unknown) for i in items) else key_arn(joined)

    def _fn_split(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            delimiter, text = self.value(argument[0]), self.value(argument[1])
            if isinstance(delimiter, str) and delimiter and isinstance(text, str) and not is_unresolved(text):
                return text.split(delimiter)
        return unknown_value(f"Fn::Split {short(argument)}")

    def _fn_select(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            index, items = self.value(argument[0]), self.value(argument[1])
            try:
                position = int(index)
            except (TypeError, ValueError):
                position = -1
            if isinstance(items, list) and 0 <= position < len(items):
                return items[position]
        return unknown_value(f"Fn::Select {short(argument)}")

    def _fn_findinmap(self, argument: Any) -> Any:
        if isinstance(argument, list) and len(argument) >= 3:
            names = [self.value(a) for a in argument[:3]]
            if all(isinstance(n, (str, int)) and known(n) for n in names):
                found: Any = self.mappings
                for name in names:
                    found = found.get(str(name)) if isinstance(found, dict) else None
                if found is not None:
                    return self.value(found)
            if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                return self.value(argument[3]["DefaultValue"])
        self.unknown.append(f"Fn::FindInMap {short(argument)} has no value")
        return unknown_value(f"Fn::FindInMap {short(argument)}")

    def _fn_if(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            return unknown_value(f"Fn::If {short(argument)}")
        chosen = self.condition(argument[0])
        if chosen is None:
            when_true, when_false = self.value(argument[1]), self.value(argument[2])
            if when_true == when_false and not isinstance(when_true, Unknown):
                return when_true
            self.unknown.append(f"condition {argument[0]} is not known before deployment")
            return unknown_value(f"Fn::If {argument[0]}")
        return self.value(argument[1] if chosen else argument[2])

    def _fn_importvalue(self, argument: Any) -> Any:
        name = self.value(argument)
        self.unknown.append(f"Fn::ImportValue {short(name)} is another stack's export, known only at deployment")
        return unknown_value(f"Fn::ImportValue {short(name)}")

    def _fn_base64(self, argument: Any) -> Any:
        return self.value(argument)

    def _fn_tojsonstring(self, argument: Any) -> Any:
        evaluated = self.value(argument)
        return Unknown(json.dumps(evaluated)) if contains_unknown(evaluated) else json.dumps(evaluated)

    def _fn_length(self, argument: Any) -> Any:
        evaluated = self.value(argument)
        return len(evaluated) if isinstance(evaluated, list) else unknown_value(f"Fn::Length {short(argument)}")

    def block(self, model_type: str, name: str, address: str | None = None) -> Block:
        return Block(key=(self.path, model_type, address or name), block_type="resource", type=model_type, name=name,
                     address=address or name, file_path=self.path, config={}, root=self.path)


def key_arn(text: str) -> str:
    """``arn:aws:kms:<this region>:<this account>:key/<a key's ID>`` is that key's ARN."""
    match = _KEY_ARN_FROM_ID.match(text)
    return "${" + f"{match.group(1)}.{match.group(2)}.arn" + "}" if match else text


def known(value: Any) -> bool:
    return not isinstance(value, Unknown) and not contains_unknown(value) and value is not NO_VALUE


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def scalar(value: Any) -> str:
    """How Fn::Equals compares: as strings (``true`` equals "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def snake(attribute: str) -> str:
    """``Arn`` -> ``arn``, ``KeyId`` -> ``key_id`` (CloudFormation attribute to provider attribute)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", attribute.replace(".", "_")).lower()


def short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def stack_name(path: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(path).name.split(".")[0]).strip("-") or "stack"
    return stem[:64]


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}

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
``Fn::FindInMap``, ``Fn::If`` with ``Conditions`` (a resource whose
``Condition`` is false is not created: it makes no block and is listed in
``Template.pruned``; one whose Condition is not known before deployment is
judged as created, the assumption in ``Template.assumed``), parameter values
(a deployment's, ``cloudformation_parameters``, else the defaults), and
pseudo parameters (stand-in values, see ``PSEUDO``). The
template is read from its file, so values Checkov half-rendered never reach
the rules. A ``Ref`` or ``Fn::GetAtt`` to a modelled resource becomes the
reference text (``${aws_kms_key.DataKey.arn}``) with an edge to the target,
as ``terraform.py`` writes references. What cannot be known before
deployment (``Fn::ImportValue``, a parameter without a value, an SSM
parameter, a condition on such a value) becomes a ``${...}`` text that no
rule passes, and the block's ``unknown`` says why.

Every block gets ``address`` = the resource's logical ID (Checkov names the
resource ``AWS::S3::Bucket.LogicalId``) and ``root`` = the template path, so
literal names link only within one template. Nothing here imports Checkov.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from kmsguard.model.resources import Block
from kmsguard.model.values import references_in
from kmsguard.readers.cloudformation_intrinsics import TemplateValues
from kmsguard.readers.cloudformation_parameters import DeploymentValues
from kmsguard.readers.cloudformation_resources import TRANSLATIONS, Made
from kmsguard.readers.cloudformation_templates import TEMPLATE_SUFFIXES, TemplateError, read_template, template_files

__all__ = ["TEMPLATE_SUFFIXES", "Template", "TemplateError", "load", "read_template", "template_files"]


@dataclass
class Template:
    """One template's blocks and which blocks each logical ID stands for."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    # The block(s) a Checkov result on a resource judges; [] for a resource read that has none
    # (a SAM function with its own Role).
    by_logical_id: dict[str, list[Block]] = field(default_factory=dict)
    # Logical IDs whose Condition is false: not created, like a Terraform count = 0.
    pruned: set[str] = field(default_factory=set)
    # Logical ID -> why it is judged as created though its Condition is not known before deployment.
    assumed: dict[str, str] = field(default_factory=dict)


def load(path: str, deployment: DeploymentValues | None = None,
         values_for: Callable[[str], DeploymentValues | None] | None = None) -> Template | None:
    """The model blocks of the template at ``path`` (None if it is not a template), with a deployment's values.

    ``values_for(path)`` gives the values instead, asked only once the file is known to be a template.
    """
    document = read_template(path)
    if document is None:
        return None
    if values_for is not None:
        deployment = values_for(os.path.abspath(path))
    return TemplateReader(os.path.abspath(path), document, deployment).template()


class TemplateReader(TemplateValues):
    """Declares a block for every resource that is created, then fills each from its evaluated properties."""

    def template(self) -> Template:
        template = Template(self.path)
        pending = self._declare_all(template)
        template.pruned = set(self.pruned)
        for logical_id, resource, made in pending:
            self.unknown = []
            if "Condition" in resource and self.condition(resource["Condition"]) is None:
                why = "; ".join(dict.fromkeys(self.unknown))
                template.assumed[logical_id] = (
                    f"judged as created, an assumption: its Condition {resource['Condition']} is not known "
                    f"before deployment{f' ({why})' if why else ''}")
                self.unknown.append(f"its Condition {resource['Condition']} is not known before deployment")
            properties = self.value(resource.get("Properties") or {})
            made.fill(self, properties if isinstance(properties, dict) else {})
            made.block.unknown = tuple(dict.fromkeys(self.unknown))
        by_name = {(model_type, block.name): block for model_type, block in self.targets.values()}
        for block in template.blocks:  # (attribute path, target) for every reference, as terraform.py labels them
            block.out = list(_walk(block.config, by_name, ""))
        return template

    def _declare_all(self, template: Template) -> list[tuple[str, dict, Made]]:
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

    def _declare(self, logical_id: str, resource: dict) -> list[Made]:
        kind = resource.get("Type")
        translate = TRANSLATIONS.get(kind) if isinstance(kind, str) else None
        if translate is None:
            return []
        return translate(self, logical_id, resource)


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

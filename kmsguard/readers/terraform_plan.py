"""A Terraform plan (``terraform show -json``) as the same ResourceGraph the HCL scan builds.

Checkov's own graph of a plan holds resources only: no data sources read
during the plan (they live in ``prior_state``), no module inputs or outputs,
and references between module resources that share a name get mixed up. So
the plan file itself is read here, and each resource instance becomes a Block
whose config looks like the HCL scan's:

- known values stay as they are;
- a value that is a plain reference to another resource or data source
  (found through the plan's ``configuration`` references, across module
  inputs and outputs) is written as that reference, ``aws_kms_key.this.arn``,
  with an edge to the target, exactly as the HCL scan sees it; for a known
  value only when it equals the target's value, and always for KMS key
  lookups (the plan shows a key ARN even for the AWS-managed ``aws/s3``);
- a known value inside a block the configuration does not show (a
  ``dynamic`` block) that equals the ID or ARN of a KMS key or key lookup
  in the plan is written as a reference to it, for the same reason;
- a value unknown until apply that no reference explains (a ``jsonencode``
  policy that embeds a new ARN, a ``dynamic`` block, a local) becomes a
  ``${...}`` text saying so, which every rule treats as unresolved: FAILED,
  never PASSED.
Targets keep their known attributes (``arn``...), so literal ARNs in known
policies still match them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from kmsguard.model.resources import Block
from kmsguard.model.values import UNKNOWN_POLICY, UNKNOWN_VALUE

JSON_ATTRIBUTES = {"policy", "assume_role_policy"}
_LOOKUPS = {"data.aws_kms_alias", "data.aws_kms_key"}  # keys.py judges these by what they look up
# What a KMS key value can be written as a reference to (keys.py classifies the target).
KEY_LIKE = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key",
            "aws_kms_alias") + tuple(_LOOKUPS)
_KEY_IDS = ("arn", "target_key_arn", "key_id", "target_key_id", "id")
# Blocks a provider never computes: wholly unknown, they are a dynamic block over a value known only after apply.
CONFIGURED_BLOCKS = {"rule", "apply_server_side_encryption_by_default", "destination", "encryption_configuration",
                     "source_selection_criteria", "sse_kms_encrypted_objects"}
# Blocks the AWS provider (v4 and later) computes from what AWS reports: without a configuration
# expression their value is AWS's (or a dynamic block's, which the plan cannot tell apart).
_PROVIDER_BLOCKS = {
    "aws_s3_bucket": ("server_side_encryption_configuration", "logging", "replication_configuration", "versioning",
                      "lifecycle_rule", "grant", "cors_rule", "website", "object_lock_configuration", "acl", "policy"),
    "aws_iam_role": ("inline_policy", "managed_policy_arns"),
}
_INSTANCE = re.compile(r"^(?P<object>(?:data\.)?[\w-]+\.[\w-]+)(?P<index>\[[^\]]*\])?$")


def plan_files(paths: list[str]) -> dict[str, dict]:
    """The plans among ``paths`` (JSON files a Checkov scan read), each parsed once."""
    loaded = {path: _load(path) for path in paths}
    return {path: document for path, document in loaded.items() if document is not None}


def _load(path: str) -> dict | None:
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and "planned_values" in document else None


def blocks(plans: dict[str, dict]) -> list[Block]:
    return [block for path, document in plans.items() for block in _Plan(path, document).build()]


class _Configuration:
    """The plan's ``configuration`` section: which blocks an expression refers to, through module inputs and outputs."""

    def __init__(self, document: dict, instances: dict[str, Block], raw: dict[str, dict], module_of: dict[str, str]) -> None:
        self.document, self.instances, self.raw, self.module_of = document, instances, raw, module_of

    def module(self, module: str) -> dict:
        config = self.document.get("configuration", {}).get("root_module", {})
        for name in re.findall(r"module\.([\w-]+)", module):
            config = config.get("module_calls", {}).get(name, {}).get("module", {})
        return config

    def of(self, address: str) -> dict:
        resource = self.raw[address]
        relative = ("data." if resource.get("mode") == "data" else "") + f"{resource.get('type')}.{resource.get('name')}"
        for entry in self.module(self.module_of[address]).get("resources", []):
            if entry.get("address") == relative:
                return entry
        return {}

    def targets(self, references: list[str], module: str, holder: Block, depth: int = 0) -> tuple[list[tuple[Block, str]], bool]:
        """(target blocks with the attribute used, whether something could not be followed)."""
        found: list[tuple[Block, str]] = []
        opaque = False
        full = [r for r in references if not any(o != r and o.startswith(r + ".") or o.startswith(r + "[") for o in references)]
        for ref in full:
            parts = ref.split(".")
            if parts[0] in ("each", "count", "path", "terraform") or depth > 20:
                continue
            if parts[0] == "local":
                opaque = True  # the plan does not show locals' expressions
            elif parts[0] == "var":
                more, hidden = self._through_input(parts[1], module, holder, depth)
                found += more
                opaque = opaque or hidden
            elif parts[0] == "module" and len(parts) >= 3:
                call = re.sub(r"\[.*$", "", parts[1])
                output = self.module(module).get("module_calls", {}).get(call, {}).get("module", {}) \
                    .get("outputs", {}).get(parts[2], {}).get("expression", {})
                children = sorted({m for m in self.module_of.values()
                                   if re.fullmatch(re.escape(_join(module, "module." + call)) + r"(\[[^\]]*\])?", m)})
                for child in children or [_join(module, "module." + call)]:
                    more, hidden = self.targets(output.get("references", []), child, holder, depth + 1)
                    found += more
                    opaque = opaque or hidden
            else:
                data = parts[0] == "data"
                head = parts[:3] if data else parts[:2]
                attribute = parts[len(head)] if len(parts) > len(head) else ""
                match = _INSTANCE.match(".".join(head))
                if not match:
                    continue
                # With a computed index ([each.key]) Terraform names the object only.
                attribute = attribute or "id"
                base = _join(module, match.group("object"))
                wanted = [b for a, b in self.instances.items()
                          if a == base or a.startswith(base + "[")]
                if match.group("index"):
                    wanted = [b for b in wanted if b.address == base + match.group("index")]
                elif len(wanted) > 1 and any(r.startswith(("each.", "count.")) for r in references):
                    own = re.search(r"\[[^\]]*\]$", holder.address)
                    wanted = [b for b in wanted if own and b.address.endswith(own.group(0))] or wanted
                found += [(b, attribute) for b in wanted]
        return found, opaque

    def _through_input(self, variable: str, module: str, holder: Block, depth: int) -> tuple[list[tuple[Block, str]], bool]:
        """What a module input refers to, in the calling module's expression for it."""
        if not module:
            return [], False
        parent, call = _parent(module)
        name = re.sub(r"\[.*$", "", variable)  # var.logging["target_bucket"]: the input logging
        expression = self.module(parent).get("module_calls", {}).get(call, {}).get("expressions", {}).get(name, {})
        return self.targets(expression.get("references", []), parent, holder, depth + 1)

    def is_null(self, expression: Any, module: str, depth: int = 0) -> bool:
        """Whether an expression is a variable that is null here (a registry module's optional input left unset)."""
        if not isinstance(expression, dict) or depth > 20:
            return False
        if "constant_value" in expression:
            return expression["constant_value"] is None
        references = expression.get("references") or []
        if len(references) != 1 or not references[0].startswith("var."):
            return False
        name = references[0].split(".")[1]
        if not module:
            variable = (self.document.get("variables") or {}).get(name)
            return isinstance(variable, dict) and "value" in variable and variable["value"] is None
        parent, call = _parent(module)
        given = self.module(parent).get("module_calls", {}).get(call, {}).get("expressions", {}).get(name)
        if given is not None:
            return self.is_null(given, parent, depth + 1)
        declared = self.module(module).get("variables", {}).get(name)
        return isinstance(declared, dict) and "default" in declared and declared["default"] is None


class _Plan:
    def __init__(self, path: str, document: dict) -> None:
        self.path, self.document = path, document
        self.changes = {c.get("address"): c.get("change", {}) for c in document.get("resource_changes", [])}
        self.instances: dict[str, Block] = {}
        self.raw: dict[str, dict] = {}  # address -> plan resource (values...)
        self.module_of: dict[str, str] = {}
        self.configuration = _Configuration(document, self.instances, self.raw, self.module_of)

    def build(self) -> list[Block]:
        prior = self.document.get("prior_state", {}).get("values", {}).get("root_module", {})
        for module in (self.document.get("planned_values", {}).get("root_module", {}), prior):
            for address, resource in _resources(module, ""):
                if address in self.raw:
                    continue
                mode_data = resource.get("mode") == "data"
                if not mode_data and module is prior:
                    continue  # existing resources the plan deletes are not judged
                self.raw[address] = resource
                self.module_of[address] = resource["__module__"]
                index = resource.get("index")
                name = resource.get("name", "") + ("" if index is None else f"[{json.dumps(index)}]")
                self.instances[address] = Block(
                    key=f"{self.path}:{address}", block_type="data" if mode_data else "resource",
                    type=resource.get("type", ""), name=name, address=address, file_path=self.path,
                    config={}, root=self.path,
                )
        for address, block in self.instances.items():
            resource = self.raw[address]
            unknown = self.changes.get(address, {}).get("after_unknown") or {}
            expressions = self.configuration.of(address).get("expressions", {})
            block.config = self._convert(block, resource.get("values") or {}, unknown, expressions, "")
            block.config["__address__"] = address
        return list(self.instances.values())

    # -- values -----------------------------------------------------------------
    def _convert(self, block: Block, values: Any, unknown: Any, expressions: Any, path: str) -> dict:
        config: dict[str, Any] = {}
        values = values if isinstance(values, dict) else {}
        unknown = unknown if isinstance(unknown, dict) else {}
        expressions = expressions if isinstance(expressions, dict) else {}
        for key in list(values) + [k for k in unknown if k not in values]:
            value, later, expression = values.get(key), unknown.get(key), expressions.get(key)
            label = f"{path}.{key}" if path else key
            if expression is None and not path and key in _PROVIDER_BLOCKS.get(block.type, ()):
                continue  # what AWS reports (provider v4+ computes it), not what the configuration sets
            if later is True and expression is None and key in CONFIGURED_BLOCKS:
                self._unknown_blocks(block, config, key, label)
            elif later is True:
                if expression is None and not path:
                    continue  # an attribute only the provider sets (arn, id): the HCL has none either
                if self.configuration.is_null(expression, self.module_of[block.address]):
                    continue  # null in the configuration: unset, as the HCL scan sees it
                config[key] = [self._fill(block, expression, label, key)]
            elif _is_blocks(value) or (_is_blocks(later) and value is None):
                value = value or [{} for _ in later]
                later = later if isinstance(later, list) else []
                nested = expression[0] if isinstance(expression, list) and expression else {}
                config[key] = [self._convert(block, v, later[i] if i < len(later) else {}, nested, label)
                               for i, v in enumerate(value)]
            elif value is None or value == []:
                continue  # null, or no blocks (provider v4 writes server_side_encryption_configuration = [])
            elif isinstance(later, list) and any(u is True for u in later):
                config[key] = [[v if v is not None else self._fill(block, expression, f"{label}.{i}", key)
                                for i, v in enumerate(value)]]
            else:
                config[key] = [self._known(block, value, expression, label)]
        return config

    def _unknown_blocks(self, block: Block, config: dict, key: str, label: str) -> None:
        """Blocks the plan leaves wholly unknown: a ``dynamic`` block whose for_each is known only after apply.

        Written as the HCL scan writes a dynamic block it cannot expand, so the rules say why.
        """
        where = f" in {label.rsplit('.', 1)[0]}" if "." in label else ""
        why = f"dynamic block {key!r}{where}: its for_each is known only after apply, so the plan cannot show its blocks"
        config.setdefault("dynamic", []).append({key: [f"${{{why}}}"]})
        block.unknown = tuple(dict.fromkeys(block.unknown + (why,)))

    def _fill(self, block: Block, expression: Any, label: str, key: str) -> str:
        """The stand-in for a value unknown until apply."""
        if key in JSON_ATTRIBUTES:
            return UNKNOWN_POLICY
        references = expression.get("references", []) if isinstance(expression, dict) else []
        targets, opaque = self.configuration.targets(references, self.module_of[block.address], block)
        if not targets or opaque:
            return UNKNOWN_VALUE
        for target, _ in targets:
            block.out.append((label, target))
        return " ".join(_spelled(target, attribute) for target, attribute in targets)

    def _known(self, block: Block, value: Any, expression: Any, label: str) -> Any:
        """A known value, written as the reference it came from when it is a plain one."""
        references = expression.get("references", []) if isinstance(expression, dict) else []
        if expression is None and "." in label and isinstance(value, str):
            return self._key_with_value(block, value, label)
        if not references or not isinstance(value, str):
            return value
        targets, _ = self.configuration.targets(references, self.module_of[block.address], block)
        plain = [(t, a) for t, a in targets
                 if _full_type(t) in _LOOKUPS or (self.raw.get(t.address, {}).get("values") or {}).get(a) == value]
        if len(plain) != 1 or len(targets) != 1:
            return value
        target, attribute = plain[0]
        block.out.append((label, target))
        return _spelled(target, attribute)

    def _key_with_value(self, block: Block, value: str, label: str) -> str:
        """A nested value the configuration does not show (a ``dynamic`` block): the KMS key or key
        lookup whose ID or ARN it is, if any. The plan shows the AWS-managed ``aws/s3`` key as a
        plain key ARN; only the lookup that produced it says what it is."""
        found = []
        for address, target in self.instances.items():
            known = self.raw[address].get("values") or {}
            if target is block or _full_type(target) not in KEY_LIKE:
                continue
            attribute = next((a for a in _KEY_IDS if known.get(a) == value), None)
            if attribute:
                found.append((target, attribute))
        for target, _ in found:
            block.out.append((label, target))
        return " ".join(_spelled(target, attribute) for target, attribute in found) or value


def _resources(module: dict, _prefix: str) -> Iterator[tuple[str, dict]]:
    for resource in module.get("resources", []) or []:
        if isinstance(resource, dict) and resource.get("address"):
            yield resource["address"], {**resource, "__module__": module.get("address", "")}
    for child in module.get("child_modules", []) or []:
        yield from _resources(child, child.get("address", ""))


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _parent(module: str) -> tuple[str, str]:
    """``module.a.module.b[0]`` -> (``module.a``, ``b``)."""
    head, _, last = module.rpartition("module.")
    return head.rstrip("."), re.sub(r"\[.*$", "", last)


def _join(module: str, rest: str) -> str:
    return f"{module}.{rest}" if module else rest


def _full_type(block: Block) -> str:
    return ("data." if block.block_type == "data" else "") + block.type


def _spelled(target: Block, attribute: str) -> str:
    return f"{_full_type(target)}.{target.name}.{attribute}"

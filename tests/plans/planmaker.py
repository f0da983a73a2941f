"""Build `terraform show -json` plans by hand from a Terraform tree (Terraform cannot run here).

Values come from Checkov's own HCL rendering of the tree (variable defaults,
module inputs, count/for_each instances), so a plan says what the HCL says.
What Terraform would compute, the rules below decide:
- an attribute of a resource that the configuration does not set (``arn``,
  ``id``, ``key_id``...) is unknown when the resource is created, and known
  (from ``prior_state``) when it already exists;
- data sources are read during the plan (their results go to ``prior_state``),
  unless an input is unknown: then the read waits for apply;
- ``jsonencode`` of anything unknown is unknown as a whole;
- a root variable without a default takes its value from ``variables`` in
  the tree's ``plan_inputs.json`` (the tfvars file CI would pass).
``plan_inputs.json`` may also give ``values``: attribute values Terraform
computes from expressions Checkov cannot evaluate (``dynamic`` blocks, ``try``).

Usage: python tests/plans/planmaker.py TREE_ROOT OUT_DIR [INPUTS_JSON]
"""
from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import hcl2
from checkov.terraform.graph_manager import TerraformGraphManager

from kmsguard import graph as kg
from kmsguard.references import references_in

TERRAFORM_VERSION = "1.9.8"
PROVIDER = "registry.terraform.io/hashicorp/aws"
ACCOUNT, REGION = "111122223333", "eu-west-1"
UNKNOWN = object()
JSON_ATTRIBUTES = {"policy", "assume_role_policy"}  # jsonencode() values: JSON strings in a plan
MAP_ATTRIBUTES = {"tags", "tags_all"}
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "dynamic", "provisioner"}
_TRAVERSAL = re.compile(r"""(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w-]+)?)""")


def build(root: Path, mode: str, inputs: dict) -> dict:
    root = root.resolve()
    hcl = _hcl_graph(root)
    maker = _Maker(root, hcl, mode, inputs)
    return maker.plan()


def _hcl_graph(root: Path) -> kg.ResourceGraph:
    graph, _ = TerraformGraphManager(db_connector=_connector()).build_graph_from_source_directory(
        str(root), render_variables=True)
    import rustworkx as rx
    digraph = rx.PyDiGraph()
    indexes = [digraph.add_node(vertex.get_attribute_dict()) for vertex in graph.vertices]
    for edge in graph.edges:
        digraph.add_edge(indexes[edge.origin], indexes[edge.dest], {"label": edge.label})
    return kg.ResourceGraph(kg._read(digraph))


def _connector():
    from checkov.common.graph.db_connectors.rustworkx.rustworkx_db_connector import RustworkxConnector
    return RustworkxConnector()


class _Maker:
    def __init__(self, root: Path, hcl: kg.ResourceGraph, mode: str, inputs: dict) -> None:
        self.root, self.hcl, self.mode, self.inputs = root, hcl, mode, inputs

    # -- values ---------------------------------------------------------------
    def computed(self, block: kg.Block, attribute: str) -> Any:
        """A value Terraform computes: the real one for existing resources and data sources."""
        if block.block_type == "resource" and self.mode == "create":
            return UNKNOWN
        name = block.get("name") if isinstance(block.get("name"), str) else block.base_name
        bucket = block.get("bucket")
        key_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, block.address))
        key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_uuid}"
        facts = {
            "aws_kms_key": {"arn": key_arn, "key_id": key_uuid, "id": key_uuid},
            "aws_kms_alias": {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{name}", "id": name, "target_key_arn": key_arn},
            "aws_s3_bucket": {"arn": f"arn:aws:s3:::{bucket}", "id": bucket, "bucket": bucket},
            "aws_iam_role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "id": name, "name": name},
            "aws_iam_policy": {"arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}", "id": f"arn:aws:iam::{ACCOUNT}:policy/{name}"},
            "aws_caller_identity": {"account_id": ACCOUNT, "id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci"},
        }.get(block.type, {})
        if block.type == "aws_iam_policy_document" and attribute == "json":
            return self.policy_json(block)
        if block.type == "aws_kms_alias" and block.block_type == "data":
            facts["target_key_id"] = key_uuid
        return facts.get(attribute, f"{block.address}.{attribute}-{key_uuid[:8]}")

    def policy_json(self, block: kg.Block) -> Any:
        """What the provider renders for a data.aws_iam_policy_document (UNKNOWN while an input is)."""
        statements = []
        for raw in block.config.get("statement") or []:
            statement = {"Effect": (raw.get("effect") or ["Allow"])[0]}
            for key, name in (("sid", "Sid"), ("actions", "Action"), ("not_actions", "NotAction"),
                              ("resources", "Resource"), ("not_resources", "NotResource")):
                if key in raw:
                    value = self.value(raw[key][0] if len(raw[key]) == 1 else raw[key], block, "statement")
                    if value is UNKNOWN:
                        return UNKNOWN
                    statement[name] = value[0] if isinstance(value, list) and len(value) == 1 else value
            for principal in raw.get("principals") or []:
                identifiers = self.value(principal["identifiers"][0], block, "statement")
                if identifiers is UNKNOWN:
                    return UNKNOWN
                statement.setdefault("Principal", {})[principal["type"][0]] = \
                    identifiers[0] if isinstance(identifiers, list) and len(identifiers) == 1 else identifiers
            statements.append(statement)
        return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))

    def value(self, raw: Any, block: kg.Block, label: str) -> Any:
        """A rendered attribute as Terraform knows it at plan time (UNKNOWN when it does not)."""
        if isinstance(raw, dict):
            items = {k: self.value(v, block, label) for k, v in raw.items()}
            return UNKNOWN if any(v is UNKNOWN for v in items.values()) else items
        if isinstance(raw, list):
            items = [self.value(v, block, label) for v in raw]
            return UNKNOWN if any(v is UNKNOWN for v in items) else items
        if not isinstance(raw, str):
            return raw
        var = re.fullmatch(r"\$?\{?var\.(\w+)\}?", raw.strip())
        if var and var.group(1) in self.inputs.get("variables", {}):
            return self.inputs["variables"][var.group(1)]
        text = raw
        for ref in references_in(raw):
            target = self.target(ref, block, label, raw)
            if target is None:
                continue
            known = self.computed(target, ref.attribute)
            if known is UNKNOWN:
                return UNKNOWN
            spelled = f"{ref.type}.{ref.name}{ref.index or ''}.{ref.attribute}"
            # Checkov renders some module outputs inside strings with quotes: "\"aws_s3_bucket.this.arn\"/*"
            text = text.replace("${" + spelled + "}", known).replace(f'"{spelled}"', known).replace(spelled, known)
        return text

    def target(self, ref, block: kg.Block, label: str, raw: str) -> kg.Block | None:
        found = self.hcl.resolve(block, label, (ref.type,), raw)
        if not found:  # written in plan_inputs.json: an address in the root module
            index = re.sub(r'^\["(\d+)"\]$', r"[\1]", ref.index or "")  # Checkov quotes count indexes
            wanted = ref.type.removeprefix("data.") + "." + ref.name + index
            found = [b for b in self.hcl.blocks if b.block_type in ("resource", "data") and
                     b.address in (wanted, "data." + wanted) and (b.block_type == "data") == ref.type.startswith("data.")]
        return found[0] if found else None

    def attributes(self, block: kg.Block) -> tuple[dict, dict]:
        """(known values, after_unknown) of a resource or data source, in plan JSON shape."""
        config = {k: v for k, v in block.config.items() if not k.startswith("__") and k not in META}
        config.update(self.inputs.get("values", {}).get(block.address, {}))
        values, unknown = {}, {}
        for key, raw in config.items():
            known, later = self.shape(key, raw, block, key)
            if known is not UNKNOWN:
                values[key] = known
            if later:
                unknown[key] = later
        computed = {"aws_kms_key": ("arn", "id", "key_id"),
                    "aws_kms_alias": ("arn", "id") + (("target_key_arn", "target_key_id") if block.block_type == "data" else ())}
        for attribute in computed.get(block.type, ("arn", "id")):
            if attribute not in values:
                known = self.computed(block, attribute)
                if known is UNKNOWN:
                    unknown[attribute] = True
                else:
                    values[attribute] = known
        return values, unknown

    def shape(self, key: str, raw: Any, block: kg.Block, label: str) -> tuple[Any, Any]:
        """(value or UNKNOWN, after_unknown entry) of one attribute or nested block."""
        if key in JSON_ATTRIBUTES:
            value = self.value(raw[0] if isinstance(raw, list) and len(raw) == 1 else raw, block, label)
            if value is UNKNOWN:
                return UNKNOWN, True
            return (json.dumps(value, sort_keys=True, separators=(",", ":")) if isinstance(value, dict) else value), None
        if key in MAP_ATTRIBUTES:
            value = self.value(raw[0] if isinstance(raw, list) and raw else raw, block, label)
            return (UNKNOWN, True) if value is UNKNOWN else (value, None)
        if isinstance(raw, list) and raw and all(isinstance(item, dict) for item in raw):  # nested blocks
            items, unknowns = [], []
            for item in raw:
                known_item, unknown_item = {}, {}
                for k, v in item.items():
                    if k.startswith("__"):
                        continue
                    known, later = self.shape(k, v, block, label)
                    if known is not UNKNOWN:
                        known_item[k] = known
                    if later:
                        unknown_item[k] = later
                items.append(known_item)
                unknowns.append(unknown_item)
            return items, (unknowns if any(unknowns) else None)
        value = self.value(raw[0] if isinstance(raw, list) and len(raw) == 1 else raw, block, label)
        return (UNKNOWN, True) if value is UNKNOWN else (value, None)

    # -- plan -----------------------------------------------------------------
    def plan(self) -> dict:
        planned, prior, changes = _Modules(), _Modules(), []
        for block in sorted(self.hcl.blocks, key=lambda b: b.address):  # Checkov's order varies with set order
            if block.block_type not in ("resource", "data"):
                continue
            values, unknown = self.attributes(block)
            module = _module_of(block.address)
            entry = _entry(block, module)
            deferred = block.block_type == "data" and bool(unknown)
            if block.block_type == "data" and not deferred:
                prior.add(module, {**entry, "values": values, "sensitive_values": {}})
                continue
            planned.add(module, {**entry, "values": values, "sensitive_values": {}})
            if self.mode == "update" and block.block_type == "resource":
                prior.add(module, {**entry, "values": values, "sensitive_values": {}})
            action = "read" if deferred else "create" if self.mode == "create" else "no-op"
            before = None if self.mode == "create" or deferred else values
            before = self.inputs.get("before", {}).get(block.address, before)
            if before is not values and self.mode == "update" and not deferred:
                action = "update"
            change = {
                **entry, "change": {"actions": [action], "before": before, "after": values,
                                    "after_unknown": unknown, "before_sensitive": False if before is None else {},
                                    "after_sensitive": {}},
            }
            if module:
                change["module_address"] = module
            changes.append(change)
        plan = {
            "format_version": "1.2",
            "terraform_version": TERRAFORM_VERSION,
            "variables": self.variables(),
            "planned_values": {"root_module": planned.tree()},
            "resource_changes": changes,
            "configuration": {
                "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER,
                                            "expressions": {"region": {"references": ["var.region"]}}}},
                "root_module": self.module_config(self.root, ""),
            },
            "timestamp": "2024-11-28T12:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }
        if self.mode == "update" or prior.modules:
            plan["prior_state"] = {"format_version": "1.0", "terraform_version": TERRAFORM_VERSION,
                                   "values": {"root_module": prior.tree()}}
        return plan

    def variables(self) -> dict:
        result = {}
        for variable in _hcl(self.root).get("variable", []):
            for name, body in variable.items():
                value = self.inputs.get("variables", {}).get(name, (body.get("default") or [None])[0])
                result[name] = {"value": value}
        return result

    def module_config(self, directory: Path, address: str) -> dict:
        """The ``configuration`` entry of one module: expressions and references, not values."""
        raw = _hcl(directory)
        config: dict[str, Any] = {"resources": [], "variables": {}}
        for mode, section in (("managed", "resource"), ("data", "data")):
            for item in raw.get(section, []):
                for type_, named in item.items():
                    for name, body in named.items():
                        entry = {"address": ("data." if mode == "data" else "") + f"{type_}.{name}", "mode": mode,
                                 "type": type_, "name": name,
                                 "provider_config_key": (address[len("module."):-1] + ":aws") if address else "aws",
                                 "expressions": _expressions(body), "schema_version": 0}
                        for meta in ("count", "for_each"):
                            if meta in body:
                                entry[f"{meta}_expression"] = _expression(body[meta][0])
                        config["resources"].append(entry)
        for item in raw.get("output", []):
            for name, body in item.items():
                config.setdefault("outputs", {})[name] = {"expression": _expression(body["value"][0])}
        for item in raw.get("variable", []):
            for name, body in item.items():
                config["variables"][name] = {k: v[0] for k, v in body.items()
                                             if k in ("default", "description")}
        for item in raw.get("module", []):
            for name, body in item.items():
                source = body["source"][0]
                call = {"source": source,
                        # module arguments are all attributes: an object input is one expression, not a block
                        "expressions": {k: _expression(v[0] if isinstance(v, list) and len(v) == 1 else v)
                                        for k, v in body.items()
                                        if k != "source" and k not in META and not k.startswith("__")},
                        "module": self.module_config((directory / source).resolve(), f"{address}module.{name}.")}
                config.setdefault("module_calls", {})[name] = call
        return config


class _Modules:
    """planned_values / prior_state module tree, filled resource by resource."""

    def __init__(self) -> None:
        self.modules: dict[str, list] = {}

    def add(self, module: str, resource: dict) -> None:
        self.modules.setdefault(module, []).append(resource)

    def tree(self) -> dict:
        root = {"resources": self.modules.get("", [])}
        children = sorted(m for m in self.modules if m)
        if children:
            # one level of modules is all the trees here use; nested ones would nest child_modules
            root["child_modules"] = [{"resources": self.modules[m], "address": m} for m in children]
        return root


def _entry(block: kg.Block, module: str) -> dict:
    index = re.search(r"\[(\d+|\"[^\"]*\")\]$", block.name)
    address = block.address
    if block.block_type == "data":  # Checkov's HCL addresses leave out Terraform's "data." part
        address = (module + "." if module else "") + "data." + block.type + "." + block.name
    entry = {"address": address, "mode": "data" if block.block_type == "data" else "managed",
             "type": block.type, "name": block.base_name, "provider_name": PROVIDER, "schema_version": 0}
    if index:
        entry["index"] = json.loads(index.group(1))
    return entry


def _module_of(address: str) -> str:
    match = re.match(r"^((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*)", address)
    return match.group(1).rstrip(".") if match else ""


def _hcl(directory: Path) -> dict:
    merged: dict[str, list] = {}
    for path in sorted(directory.glob("*.tf")):
        for key, items in hcl2.loads(path.read_text()).items():
            merged.setdefault(key, []).extend(items)
    return merged


def _expressions(body: dict) -> dict:
    result = {}
    for key, raw in body.items():
        if key.startswith("__") or key in META:
            continue
        if isinstance(raw, list) and raw and all(isinstance(b, dict) for b in raw) and key not in JSON_ATTRIBUTES | MAP_ATTRIBUTES:
            result[key] = [_expressions(b) for b in raw]
        else:
            result[key] = _expression(raw[0] if isinstance(raw, list) and len(raw) == 1 else raw)
    return result


def _expression(raw: Any) -> dict:
    text = json.dumps(raw) if not isinstance(raw, str) else raw
    if "${" not in text:
        return {"constant_value": raw}
    references: list[str] = []
    for match in _TRAVERSAL.finditer(text.replace("${", " ").replace("}", " ")):
        references += _reference_forms(match.group(1))
    return {"references": list(dict.fromkeys(r for r in references if r))}


def _reference_forms(traversal: str) -> list[str]:
    """Terraform's ``references`` for one traversal: the full one, then its object."""
    parts = re.findall(r"[^.\[]+(?:\[[^\]]*\])?", traversal)  # dots inside [...] do not split
    if parts[0] in ("var", "local", "count", "each", "path", "terraform"):
        return [".".join(parts[:2])] if parts[0] not in ("each", "count") else [traversal]
    if parts[0] == "module":
        return [".".join(parts[:3]), ".".join(parts[:2])] if len(parts) > 2 else [traversal]
    if parts[0] == "data":
        head, rest = parts[:3], parts[3:]
    else:
        head, rest = parts[:2], parts[2:]
    if not re.fullmatch(r"[a-z][a-z0-9]*_[a-z0-9_]+", head[-2]):
        return []  # not a resource type (a function call, a string...)
    obj = ".".join(head)
    if "[" in obj and not re.search(r"\[(\d+|\"[^\"]*\")\]$", obj):
        # a computed index: Terraform names the resource and what the index refers to
        inner = re.search(r"\[(.*)\]", obj).group(1)
        return [obj.split("[")[0]] + [f for m in _TRAVERSAL.finditer(inner) for f in _reference_forms(m.group(1))]
    if rest:
        return [f"{obj}.{rest[0]}", obj] + ([obj.split("[")[0]] if "[" in obj else [])
    return [obj]


def main(argv: list[str]) -> None:
    root, out = Path(argv[1]), Path(argv[2])
    inputs = json.loads(Path(argv[3]).read_text()) if len(argv) > 3 else {}
    for mode in ("create", "update"):
        plan = build(root, mode, inputs)
        (out / f"tfplan.{mode}.json").write_text(json.dumps(plan, indent=2, sort_keys=False) + "\n")


if __name__ == "__main__":
    main(sys.argv)

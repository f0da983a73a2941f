"""Terraform HCL to the model, through an evaluator: each root evaluated as ``terraform plan`` would.

The evaluator is tfparse (Python bindings to the HCL evaluator Trivy uses;
docs/design.md says why and what was measured). It expands ``count``,
``for_each`` and ``dynamic`` blocks, evaluates conditionals, ``try``,
lookups, locals, variables (defaults and tfvars) and module inputs and
outputs per module instance, and leaves out instances Terraform would not
create. What it gives back is turned into ``model.Block``s here:

- a reference to another resource arrives as that resource's generated ID
  (alone or inside a string); it is written back as the reference
  ``type.name[index].attribute`` with an edge to the target;
- an unknown value arrives as ``{"__attribute__": "var.x"}``: a variable
  declared with ``default = null`` and not set means the argument is unset
  (dropped here, as Terraform drops ``null``); one without any value stays an
  unresolved ``${var.x}`` that no rule passes.
"""
from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kmsguard.model.resources import Block, full_type, module_prefix
from kmsguard.model.values import references_in
from kmsguard.readers import terraform_completeness as completeness
from kmsguard.readers import terraform_lookups
from kmsguard.readers.terraform_providers import Providers, parent_module

_META = {"__tfmeta", "id", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ADDRESS = re.compile(
    r'^(?P<module>(?:module\.[\w-]+(?:\[(?:"[^"]*"|\d+)\])?\.)*)(?P<data>data\.)?(?P<type>[\w-]+)\.(?P<name>.+)$'
)
# The attribute a bare reference most likely read, when the evaluator only gives the target's ID.
_KEY_ID_ATTRIBUTES = {"id", "key_id", "target_key_id"}
# Attributes of a resource the evaluator knows before apply (its generated ID stands for arn and id).
_EVALUATED_ATTRIBUTES = {"arn", "id", "bucket", "name", "value", "json"}
# The start of an S3 ARN, in any partition (or the partition lookup's text).
_S3_ARN = re.compile(r"arn:(?:aws[\w-]*|\$\{data\.aws_partition\.[^}]*\}):s3:::")
TFVARS = re.compile(r"^(terraform\.tfvars(\.json)?|.*\.auto\.tfvars(\.json)?)$")


class EvaluationError(RuntimeError):
    """A root the evaluator could not read; the message names it."""


@dataclass
class Root:
    """One evaluated Terraform root: its instances, and every directory the evaluation read."""

    path: str
    blocks: list[Block]
    dirs: set[str]


def load(root: str, var_files: list[str] | tuple[str, ...] = ()) -> Root:
    """Every resource and data-source instance of the Terraform root ``root``."""
    root = os.path.abspath(root)
    files = list(dict.fromkeys([os.path.join(root, f) for f in sorted(os.listdir(root)) if TFVARS.match(f)]
                               + [os.path.abspath(f) for f in var_files]))
    try:
        with terraform_lookups.evaluable(root) as evaluated:
            # The evaluator joins these to the directory it reads, which may be a rewritten copy.
            import tfparse  # here, not at import: its Go runtime must not load before Checkov forks

            parsed = tfparse.load_from_path(evaluated, vars_paths=[os.path.relpath(f, evaluated) for f in files])
    except Exception as error:  # tfparse.ParseError, or anything its bindings raise
        raise EvaluationError(f"Terraform in {root} could not be evaluated: {error}") from error
    reader = _Reader(root, parsed, _assigned(files))
    return Root(root, reader.blocks(), reader.dirs | {root})


class _Reader:
    def __init__(self, root: str, parsed: dict[str, list[dict]], tfvars: set[str]) -> None:
        self.root = root
        self.tfvars = tfvars  # root variables that tfvars files set
        self.calls: dict[str, dict] = {}  # "module.a" -> the call's inputs
        self.by_id: dict[str, dict] = {}
        self.variables: dict[str, dict] = {}  # "module.a.variable.x" -> declaration
        self.outputs: dict[str, dict] = {}  # "module.a.output.x" -> output
        self.items: list[dict] = []
        for items in parsed.values():
            for item in items:
                meta = item.get("__tfmeta") or {}
                if isinstance(item.get("id"), str):
                    self.by_id[item["id"]] = item
                kind, path = meta.get("type"), meta.get("path", "")
                if kind in ("resource", "data"):
                    self.items.append(item)
                elif ".variable." in f".{path}":
                    self.variables[path] = item
                elif ".output." in f".{path}":
                    self.outputs[path] = item
                elif type(item.get("source")) is str and path.startswith("module."):
                    self.calls[path] = item
        self.providers = Providers(parsed.get("provider", []), self.calls)
        self.made: dict[str, Block] = {}
        self.raw: dict[str, dict] = {item["id"]: item for item in self.items}
        self._scope: dict[tuple[str, str, str], list[Block]] | None = None
        self._buckets_by_module: dict[str, list[str]] | None = None
        self.lines: dict[int, tuple[int, int]] = {}  # id(block) -> its line range in its file
        self.unset: dict[int, set[str]] = {}  # id(block) -> labels of arguments dropped as null
        self.dirs = {os.path.dirname(os.path.normpath(os.path.join(root, (i.get("__tfmeta") or {}).get("filename", ""))))
                     for items in parsed.values() for i in items}

    def blocks(self) -> list[Block]:
        for item in self.items:
            meta = item["__tfmeta"]
            match = _ADDRESS.match(meta["path"])
            if not match:
                continue
            self.made[item["id"]] = Block(
                key=(self.root, meta["path"]),
                block_type=meta["type"],
                type=match.group("type"),
                name=match.group("name"),
                address=meta["path"],
                file_path=os.path.normpath(os.path.join(self.root, meta.get("filename", ""))),
                config={},
                root=self.root,
            )
            self.lines[id(self.made[item["id"]])] = (meta.get("line_start", 0), meta.get("line_end", 0))
            # Where the declaration is written, for `kmsguard fix` (which edits inside these lines).
            self.made[item["id"]].source = (self.made[item["id"]].file_path, *self.lines[id(self.made[item["id"]])])
        for item in self.items:
            block = self.made.get(item["id"])
            if block is None:
                continue
            unknown: list[str] = []
            block.region = self.providers.region(item, module_prefix(block.address))
            if block.block_type == "data":
                block.provider = self.providers.configuration(item, module_prefix(block.address))
            block.config = self._block(item, block, "", unknown)
            if item.get("count", 0) is None:
                unknown.append("its count is not known before apply")
            self._complete(block, unknown)
            unknown += self._explain_unknown(block)
            block.unknown = tuple(dict.fromkeys(unknown))
        return list(self.made.values())

    def _named(self, prefix: str, ref: Any) -> list[Block]:
        """Blocks of the module instance ``prefix`` that a reference's type and name may name."""
        if self._scope is None:
            self._scope = defaultdict(list)
            for target in self.made.values():
                self._scope[(module_prefix(target.address), full_type(target), target.base_name)].append(target)
        return self._scope.get((prefix, ref.type, ref.name), [])

    def _block(self, item: dict, block: Block, path: str, unknown: list[str], refs: tuple[str, ...] = ()) -> dict:
        meta = item.get("__tfmeta") or {}
        refs = refs + tuple(r.get("id", "") for r in meta.get("references") or [])
        config: dict[str, Any] = {}
        for key, value in item.items():
            if key in _META or key.startswith("__"):
                continue
            label = f"{path}.{key}" if path else key
            if _is_block(value):
                config[key] = [self._block(value, block, label, unknown, refs)]
            elif isinstance(value, list) and value and all(_is_block(v) for v in value):
                config[key] = [self._block(v, block, label, unknown, refs) for v in value]
            elif value is None:
                missing = self._variable_without_value(key, meta, block)
                if missing:
                    unknown.append(f"{module_prefix(block.address)}var.{missing} has no value")
                config[key] = [f"${{var.{missing}}}" if missing else None]
            else:
                converted = self._value(value, block, label, unknown, refs, meta)
                if converted is not _UNSET:
                    config[key] = [converted]
                else:
                    self.unset.setdefault(id(block), set()).add(label)
        return config

    def _complete(self, block: Block, unknown: list[str]) -> None:
        """Nothing the evaluator dropped may vanish (``terraform_completeness``)."""
        start, end = self.lines.get(id(block), (0, 0))
        text = "\n".join(_source_lines(block.file_path)[max(start - 1, 0):end])
        block.unset = tuple(sorted(self.unset.get(id(block), ())))
        completeness.complete(block, text, self.has_value, self._edges_in, unknown)

    def _edges_in(self, block: Block, label: str, value: Any) -> None:
        """Edges for the references in text read from the source (the evaluator made none for it)."""
        if isinstance(value, dict):
            for key, inner in value.items():
                self._edges_in(block, f"{label}.{key}", inner)
        elif isinstance(value, list):
            for inner in value:
                self._edges_in(block, label, inner)
        elif isinstance(value, str):
            prefix = module_prefix(block.address)
            for ref in references_in(value):
                block.out.extend((label, t) for t in self._named(prefix, ref) if ref.names(t))

    def _bucket_named(self, value: str, refs: tuple[str, ...]) -> tuple[Block, str, str] | None:
        """The referenced bucket whose name (``.id``) or ARN the evaluator wrote instead of the reference.

        Returns the bucket, the attribute and the text after it (``/*`` after an
        ARN). A reference may be to the bucket itself or to a module call whose
        output it is.
        """
        for ref in refs:
            meta = (self.by_id.get(ref) or {}).get("__tfmeta") or {}
            if ref in self.made:
                candidates = [ref]
            elif meta.get("path", "").startswith("module.") and meta.get("type") is None:
                candidates = self._buckets_in(meta["path"] + ".")
            else:
                continue
            for candidate in candidates:
                target, name = self.made[candidate], self.raw[candidate].get("bucket")
                if target.type != "aws_s3_bucket" or not isinstance(name, str) or not name:
                    continue
                if value == name:
                    return target, "id", ""
                arn = _S3_ARN.match(value)
                if arn and value[arn.end():].startswith(name) and value[arn.end() + len(name):][:1] in ("", "/"):
                    return target, "arn", value[arn.end() + len(name):]
        return None

    def _buckets_in(self, prefix: str) -> list[str]:
        """Generated IDs of the buckets in the module instance ``prefix`` and the modules it calls."""
        if self._buckets_by_module is None:
            self._buckets_by_module = defaultdict(list)
            for generated_id, block in self.made.items():
                if block.type == "aws_s3_bucket":
                    module = module_prefix(block.address)
                    while module:
                        self._buckets_by_module[module].append(generated_id)
                        module = parent_module(module)
        return self._buckets_by_module.get(prefix, [])

    def _variable_without_value(self, key: str, meta: dict, block: Block) -> str | None:
        """For an argument the evaluator gives as null: the variable it reads that has no value, if any."""
        lines = _source_lines(os.path.normpath(os.path.join(self.root, meta.get("filename", ""))))
        start, end = meta.get("line_start", 0), meta.get("line_end", 0)
        for line in lines[max(start - 1, 0):end]:
            match = re.match(rf"\s*{re.escape(key)}\s*=\s*(.*)", line)
            if not match:
                continue
            for name in re.findall(r"\bvar\.([\w-]+)", match.group(1)):
                if not self.has_value(module_prefix(block.address), name):
                    return name
            return None
        return None

    def has_value(self, module: str, name: str) -> bool:
        """Whether variable ``name`` of the module instance ``module`` ("" for the root) has a value."""
        declaration = self.variables.get(f"{module}variable.{name}")
        if declaration is None or "default" in declaration:
            return True
        if not module:
            return name in self.tfvars
        call = self.calls.get(re.sub(r"\[[^\]]*\]$", "", module.rstrip(".")), {})
        return name in call

    def _explain_unknown(self, block: Block) -> list[str]:
        """What a block's values may be unknown for: variables without a value, attributes known only after apply."""
        start, end = self.lines.get(id(block), (0, 0))
        text = "\n".join(_source_lines(block.file_path)[max(start - 1, 0):end])
        module = module_prefix(block.address)
        found = [f"{module}var.{name} has no value" for name in re.findall(r"\bvar\.([\w-]+)", text)
                 if not self.has_value(module, name)]
        found += [f"{ref.type}.{ref.name}.{ref.attribute} is known only after apply" for ref in references_in(text)
                  if ref.attribute not in _EVALUATED_ATTRIBUTES]
        return found

    def _value(self, value: Any, block: Block, label: str, unknown: list[str],
               refs: tuple[str, ...] = (), meta: dict | None = None) -> Any:
        if isinstance(value, dict) and "__attribute__" in value:
            return self._unknown(str(value["__attribute__"]), block, label, unknown)
        if isinstance(value, dict):
            converted = {k: self._value(v, block, f"{label}.{k}", unknown, refs, meta) for k, v in value.items()}
            return {k: v for k, v in converted.items() if v is not _UNSET}
        if isinstance(value, list):
            items = [v for v in (self._value(v, block, label, unknown, refs, meta) for v in value) if v is not _UNSET]
            if None in items:
                items = self._unevaluated_items(items, label, meta or {}, unknown)
            return items
        named = self._bucket_named(value, refs) if isinstance(value, str) and refs else None
        if named:
            # An evaluated bucket name or ARN (with an object path after it): written back as the reference.
            block.out.append((label, named[0]))
            return f"${{{_spelled(named[0], named[1])}}}{named[2]}"
        if isinstance(value, str) and _UUID.search(value):
            value = _UUID.sub(lambda m: self._reference(m.group(0), block, label), value)
        if isinstance(value, str) and "${data." in value:
            self._lookup_edges(value, block, label)
        return value

    def _unevaluated_items(self, items: list, label: str, meta: dict, unknown: list[str]) -> list:
        """A list item the evaluator gave as null although the source writes no null: it could not evaluate it."""
        key = label.rsplit(".", 1)[-1]
        lines = _source_lines(os.path.normpath(os.path.join(self.root, meta.get("filename", ""))))
        written = next((m.group(1).strip() for m in (re.match(rf"\s*{re.escape(key)}\s*=\s*(.*)", line) for line in
                        lines[max(meta.get("line_start", 0) - 1, 0):meta.get("line_end", 0)]) if m), "")
        if re.search(r"\bnull\b", written):
            return items
        why = f"the evaluation could not evaluate {label} = {written or '...'}"
        unknown.append(why)
        return [f"${{{why}}}" if item is None else item for item in items]

    def _lookup_edges(self, text: str, block: Block, label: str) -> None:
        """Edges for the lookup references ``terraform_lookups.rewrite`` kept as text."""
        for ref in references_in(text):
            if not ref.type.startswith("data."):
                continue
            # The text may come from a caller's input: the nearest enclosing module that declares the lookup.
            prefix = module_prefix(block.address)
            while True:
                found = [t for t in self._named(prefix, ref) if ref.names(t)]
                if found or not prefix:
                    block.out.extend((label, t) for t in found)
                    break
                prefix = parent_module(prefix)

    def _reference(self, generated_id: str, block: Block, label: str) -> str:
        target = self.made.get(generated_id)
        if target is not None:
            block.out.append((label, target))
            return f"${{{_spelled(target, self._attribute(target, block))}}}"
        item = self.by_id.get(generated_id)
        meta = (item or {}).get("__tfmeta") or {}
        if item is not None and meta.get("path", "").startswith("module.") and "." not in meta["path"][7:]:
            # The evaluator answers ``module.m.id`` with the call's own ID: read the output ``id`` instead.
            output = self.outputs.get(f"{meta['path']}.output.id")
            if output is not None and isinstance(output.get("value"), str) and output["value"] != generated_id:
                named = self._bucket_named(output["value"], (generated_id,))
                if named:
                    block.out.append((label, named[0]))
                    return f"${{{_spelled(named[0], named[1])}}}{named[2]}"
                return str(self._value(output["value"], block, label, []))
        return generated_id

    def _attribute(self, target: Block, holder: Block) -> str:
        """Which attribute of ``target`` the holder's source reads (the evaluator gives only the target's ID)."""
        if target.type == "aws_s3_bucket":
            return "id"
        if target.type == "aws_iam_policy_document":
            return "json"
        start, end = self.lines.get(id(holder), (0, 0))
        text = "\n".join(_source_lines(holder.file_path)[max(start - 1, 0):end])
        used = {ref.attribute for ref in references_in(text) if ref.type.endswith(target.type)
                and ref.name == target.base_name}
        if used and used <= _KEY_ID_ATTRIBUTES:
            return "key_id" if "key_id" in used else "id"
        return "arn"

    def _unknown(self, expression: str, block: Block, label: str, unknown: list[str]) -> Any:
        prefix = module_prefix(block.address)
        var = re.fullmatch(r"var\.([\w-]+)", expression)
        if var:
            declaration = self.variables.get(f"{prefix}variable.{var.group(1)}")
            if declaration is not None and "default" in declaration and declaration["default"] is None:
                return _UNSET  # null: the argument is not set
            unknown.append(f"{prefix}var.{var.group(1)} has no value")
            return f"${{var.{var.group(1)}}}"
        for ref in references_in(expression):  # an attribute of a resource, known only after apply
            block.out.extend((label, t) for t in self._named(prefix, ref) if ref.names(t))
        return f"${{{expression}}}"


_UNSET = object()


def _assigned(paths) -> set[str]:
    """Variable names a set of tfvars files assign (HCL or JSON)."""
    names: set[str] = set()
    for path in paths:
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        names |= set(re.findall(r'^\s*"?([\w-]+)"?\s*[=:]', text, re.M))
    return names


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and "__tfmeta" in value


def _spelled(target: Block, attribute: str) -> str:
    return ("data." if target.block_type == "data" else "") + f"{target.type}.{target.name}.{attribute}"


def _source_lines(path: str) -> list[str]:
    try:
        return _read_lines(path, os.stat(path).st_mtime_ns)
    except OSError:
        return []


@functools.lru_cache(maxsize=256)
def _read_lines(path: str, _mtime: int) -> list[str]:
    return Path(path).read_text(errors="replace").splitlines()

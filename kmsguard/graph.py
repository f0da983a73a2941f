"""The one place that touches Checkov's resource graph.

Checkov hands resource checks its library graph as ``check.graph``: a
rustworkx ``PyDiGraph`` by default, a networkx ``DiGraph`` with
``CHECKOV_GRAPH_FRAMEWORK=NETWORKX``. Neither is public API, so everything
the pack needs from it is read here, once per scan, into plain Python
objects. If a Checkov upgrade changes the graph, this file and
``tests/test_graph_adapter.py`` break, loudly, and nothing else does.

Facts relied on (checked against checkov 3.3.x):
- vertex attributes carry ``block_type_``, ``block_name_``, ``__address__``,
  ``file_path_`` and ``config_`` (the block as checks see it, values in lists);
- an edge runs from the referencing block to the referenced one, labelled with
  the referencing attribute path (``bucket``, ``policy``, ``statement.resources.0``);
- locals, variables, outputs and module calls are vertices too.
"""
from __future__ import annotations

import json
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from kmsguard.references import reference_spans, references_in

# Blocks a reference passes through on its way to a resource or data source.
_PASS_THROUGH = {"locals", "variable", "output", "module"}
_INDEX = re.compile(r"\[[^\]]*\]$")


class GraphUnavailable(RuntimeError):
    """Checkov did not give this check a graph it can read."""


@dataclass(eq=False)
class Block:
    """One vertex of the graph: a resource, data source, local, variable, output or module call."""

    key: Any  # the backend's vertex key, only meaningful to this module
    block_type: str  # resource, data, locals, variable, output, module
    type: str  # e.g. aws_s3_bucket (resources and data sources), "" otherwise
    name: str  # e.g. this, logs["a"]
    address: str  # e.g. module.s3.aws_s3_bucket.this
    file_path: str
    config: dict = field(repr=False)  # Checkov's config_: attribute values wrapped in lists
    attributes: dict = field(repr=False)  # Checkov's flattened, rendered attributes
    out: list = field(default_factory=list, repr=False)  # [(label, Block)]

    @property
    def base_name(self) -> str:
        """The block's name without a count/for_each index."""
        return _INDEX.sub("", self.name)

    def get(self, attribute: str) -> Any:
        """A top-level argument, unwrapped from Checkov's one-element list."""
        value = self.config.get(attribute)
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        return value

    def references(self, label_prefix: str) -> Iterator["Block"]:
        """Blocks this one points to from attributes at or under ``label_prefix``."""
        for label, target in self.out:
            if label == label_prefix or label.startswith(label_prefix + ".") or not label_prefix:
                yield target


class ResourceGraph:
    """Read-only index over one scan's graph, built once and shared by all checks."""

    def __init__(self, blocks: Iterable[Block]) -> None:
        self.blocks = list(blocks)
        # Several roots calling one module give blocks with the same address.
        self.by_address: dict[str, list[Block]] = defaultdict(list)
        self.by_type: dict[str, list[Block]] = defaultdict(list)
        for block in self.blocks:
            if block.block_type == "resource":
                self.by_address[block.address].append(block)
                self.by_type[block.type].append(block)
            elif block.block_type == "data":
                self.by_type["data." + block.type].append(block)
        self._cache: dict[str, Any] = {}

    def of_type(self, resource_type: str) -> list[Block]:
        return self.by_type.get(resource_type, [])

    def blocks_for(self, conf: dict, scanned_file: str = "") -> list[Block]:
        """The resource block a check's ``conf`` came from.

        More than one only when blocks share address, file and content (one
        module called the same way from several roots); callers judge each.
        """
        address = conf.get("__address__")
        found = self.by_address.get(address, []) if isinstance(address, str) else []
        if len(found) > 1 and scanned_file:
            found = [b for b in found if b.file_path.endswith(scanned_file)] or found
        if len(found) > 1:
            found = [b for b in found if b.config == conf] or found
        return found

    def instances(self, block: Block) -> list[Block]:
        """Every count/for_each instance of the resource that ``block`` is one instance of."""
        scope = block.attributes.get("source_module_object_")
        return [
            b for b in self.of_type(block.type)
            if b.base_name == block.base_name and b.file_path == block.file_path
            and b.attributes.get("source_module_object_") == scope
        ]

    def memo(self, name: Any, build):
        """Per-scan memo for indexes that several checks share (built on first use)."""
        if name not in self._cache:
            self._cache[name] = build(self)
        return self._cache[name]

    def resolve(self, block: Block, label_prefix: str, types: Iterable[str], value: Any = None) -> list[Block]:
        """Resources or data sources of ``types`` that an attribute of ``block`` refers to.

        Follows references through locals, variables, module inputs and module
        outputs. Data sources are named ``data.<type>``. With ``value`` (the
        rendered attribute), keeps only blocks that the value's references name,
        which tells apart several references made under one label; where
        Checkov left the value unrendered, reads the expression itself.
        """
        types = tuple(types)
        cache_key = ("resolve", id(block), label_prefix, types)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._cache[cache_key] = self._reach(block, label_prefix, types)
        if value is None:
            return found
        wanted_refs = references_in(value)
        named = [b for b in found if any(ref.names(b) for ref in wanted_refs)]
        if named or not isinstance(value, str):
            return named
        return list({id(t.block): t.block for t in self.targets(block, label_prefix, value, types)}.values())

    def targets(self, block: Block, label: str, text: str, types: Iterable[str] | None, depth: int = 0) -> list["Target"]:
        """Every reference in ``text`` (an attribute of ``block``) to a block of ``types`` (None: any), with what follows it.

        Reads ``module.M.O`` and ``local.L`` expressions that Checkov left
        unrendered by looking the output or local up in ``block``'s module.
        """
        types = tuple(types) if types is not None else None
        found: list[Target] = []
        if depth > 8 or not isinstance(text, str):  # circular or absurdly deep locals
            return found
        for ref, end in reference_spans(text):
            if types is not None and ref.type not in types:
                continue
            edges = [b for b in self.resolve(block, label, (ref.type,)) if ref.names(b)]
            for target in edges or [b for b in self._scope(block) if ref.names(b)]:
                found.append(Target(target, ref.attribute, _after(text, end)))
        for match in _EXPRESSION.finditer(text):
            for holder, inner_label, value in self._expression_values(block, match):
                for values in _texts(value):
                    for inner in self.targets(holder, inner_label, values, types, depth + 1):
                        found.append(Target(inner.block, inner.attribute, inner.suffix + _after(text, match.end())))
        return found

    def _expression_values(self, block: Block, match: re.Match):
        """(holder, label, value) for a ``module.M.O`` or ``local.L`` expression seen from ``block``."""
        if match.group("local"):
            name = match.group("local")
            return [(b, name, b.config.get(name)) for b in self._scope(block)
                    if b.block_type == "locals" and b.name == name]
        calls = [b for b in self._scope(block) if b.block_type == "module" and b.name == match.group("module")]
        outputs = self.memo("outputs_by_name", _outputs_by_name).get(match.group("output"), [])
        return [(output, "value", output.get("value")) for call in calls for output in outputs if _called_by(output, call)]

    def _scope(self, block: Block) -> list[Block]:
        """The blocks of the module instance (or root) that ``block`` belongs to."""
        scopes = self.memo("scopes", _scopes)
        return scopes.get(_scope_key(block), [])

    def _reach(self, block: Block, label_prefix: str, types: tuple) -> list[Block]:
        wanted = set(types)
        found: list[Block] = []
        seen: set[int] = set()
        stack = list(block.references(label_prefix))
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            full_type = ("data." + current.type) if current.block_type == "data" else current.type
            if current.block_type in ("resource", "data"):
                if full_type in wanted:
                    found.append(current)
                continue
            if current.block_type not in _PASS_THROUGH:
                continue
            for label, target in current.out:
                # A module input variable is fed by one argument of the module call.
                if current.block_type == "variable" and target.block_type == "module":
                    stack.extend(target.references(current.name))
                else:
                    stack.append(target)
        return found


@dataclass(frozen=True)
class Target:
    """A reference found in an attribute: the block, the attribute it names, and the text right after it."""

    block: Block
    attribute: str  # e.g. arn
    suffix: str  # e.g. "/*" in "${aws_s3_bucket.b.arn}/*"


_EXPRESSION = re.compile(r"\bmodule\.(?P<module>[\w-]+)(?:\[[^\]]*\])?\.(?P<output>[\w-]+)|\blocal\.(?P<local>[\w-]+)")


def _after(text: str, end: int) -> str:
    """The literal text after a reference, up to the next interpolation: ``}/*`` gives ``/*``."""
    # Checkov leaves the closing brace, and sometimes quotes, around rendered references.
    rest = re.sub(r'^["}]+', "", text[end:])
    return rest.split("${", 1)[0]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def _scope_key(block: Block) -> tuple[str, str]:
    return os.path.dirname(block.file_path), json.dumps(_module_ref(block.attributes.get("source_module_object_")))


def _scopes(graph: "ResourceGraph") -> dict:
    scopes: dict[tuple[str, str], list[Block]] = defaultdict(list)
    for block in graph.blocks:
        scopes[_scope_key(block)].append(block)
    return scopes


def _outputs_by_name(graph: "ResourceGraph") -> dict:
    outputs: dict[str, list[Block]] = defaultdict(list)
    for block in graph.blocks:
        if block.block_type == "output":
            outputs[block.name].append(block)
    return outputs


def _called_by(output: Block, call: Block) -> bool:
    """Whether an output block belongs to the module instance that ``call`` creates."""
    source = _module_ref(output.attributes.get("source_module_object_"))
    return (source is not None and source.get("path") == call.file_path and source.get("name") == call.name
            and source.get("nested_tf_module") == _module_ref(call.attributes.get("source_module_object_")))


def _module_ref(value: Any) -> dict | None:
    """Checkov's source-module marker (a JSON string or a TFModule object) as a plain dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if value is None or isinstance(value, dict):
        return value
    if hasattr(value, "path") and hasattr(value, "name"):
        return {"path": value.path, "name": value.name, "foreach_idx": getattr(value, "foreach_idx", None),
                "nested_tf_module": _module_ref(getattr(value, "nested_tf_module", None))}
    return None


_lock = threading.Lock()
_last: tuple[Any, ResourceGraph] | None = None


def view(graph: Any) -> ResourceGraph:
    """The ResourceGraph for Checkov's graph object, built once per scan."""
    global _last
    if graph is None:
        raise GraphUnavailable("Checkov gave this check no resource graph")
    with _lock:
        if _last is not None and _last[0] is graph:
            return _last[1]
        blocks = _read(graph)
        # Checkov's graph of a plan lacks what the rules follow (module inputs and
        # outputs, data sources read during the plan): read the plan file instead.
        from kmsguard import plan  # imports Block from here
        plans = plan.plan_files(blocks)
        built = ResourceGraph(plan.blocks(plans) if plans else blocks)
        _last = (graph, built)
        return built


def _read(graph: Any) -> list[Block]:
    if hasattr(graph, "weighted_edge_list"):  # rustworkx.PyDiGraph
        nodes = [(index, graph[index]) for index in graph.node_indices()]
        edges = [(u, v, data) for u, v, data in graph.weighted_edge_list()]
    elif hasattr(graph, "nodes") and hasattr(graph, "edges"):  # networkx.DiGraph
        nodes = list(graph.nodes(data=True))
        edges = list(graph.edges(data=True))
    else:
        raise GraphUnavailable(f"unsupported graph type {type(graph).__name__}")
    blocks: dict[Any, Block] = {}
    for key, attrs in nodes:
        if isinstance(attrs, tuple):  # rustworkx payloads are (index, attributes) on some versions
            attrs = attrs[1]
        blocks[key] = _block(key, attrs)
    for source, target, data in edges:
        if source in blocks and target in blocks:
            label = data.get("label", "") if isinstance(data, dict) else ""
            blocks[source].out.append((label or "", blocks[target]))
    return list(blocks.values())


def _block(key: Any, attrs: dict) -> Block:
    block_type = attrs.get("block_type_", "")
    block_name = attrs.get("block_name_", "")
    type_, name = "", block_name
    config = attrs.get("config_") or {}
    if block_type in ("resource", "data") and "." in block_name:
        type_, name = block_name.split(".", 1)
        inner = config.get(type_, {}) if isinstance(config, dict) else {}
        config = inner.get(name, {}) if isinstance(inner, dict) else {}
    elif isinstance(config, dict) and block_type in ("module", "variable", "output"):
        config = config.get(block_name, config)
    return Block(
        key=key,
        block_type=block_type,
        type=type_,
        name=name,
        address=str(attrs.get("__address__", block_name)),
        file_path=str(attrs.get("file_path_", "")),
        config=config if isinstance(config, dict) else {},
        attributes=attrs,
    )

"""The model every rule reads: resource instances, their evaluated values, and the references between them.

Readers fill it: ``terraform.py`` from HCL through an evaluator, ``plan.py``
from a plan's JSON. A ``Block`` is one instance Terraform would create (or a
data source it would read). Its ``config`` is shaped as Checkov shapes
resource configurations (each attribute wrapped in a one-element list, nested
blocks as lists of dicts), so rules read the model and a Checkov ``conf``
alike. A value that refers to another block is written as the reference
(``aws_kms_key.this[0].arn``, possibly inside a string) with an edge to the
target in ``out``; a value unknown before apply is a ``${...}`` text that
``references.is_unresolved`` recognises. Nothing here imports Checkov.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from kmsguard.model.values import framework_of, is_unresolved, reference_spans, references_in

_INDEX = re.compile(r"\[[^\]]*\]$")
_ALL_INDEXES = re.compile(r"\[(?:\"[^\"]*\"|[^\]]*)\]")
T = TypeVar("T")


@dataclass(eq=False)
class Block:
    """One resource or data-source instance."""

    key: Any  # unique within a scan
    block_type: str  # "resource" or "data"
    type: str  # e.g. aws_s3_bucket
    name: str  # e.g. this, logs["a"], this[0]
    address: str  # e.g. module.s3.aws_s3_bucket.this[0]
    file_path: str  # absolute path of the file that declares it
    config: dict = field(repr=False)
    root: str = ""  # the Terraform root (directory or plan file) this instance belongs to
    unknown: tuple[str, ...] = ()  # what its unknown values depend on (``var.x has no value``)
    out: list[tuple[str, "Block"]] = field(default_factory=list, repr=False)  # (attribute path, target)
    unset: tuple[str, ...] = ()  # arguments written as a null variable default: unset, as Terraform drops them
    provider: str = ""  # data sources: the provider configuration that reads them ("aws", "module.a.aws.us")
    region: str | None = None  # the region its provider configuration writes (None: not known before apply)
    source: tuple[str, int, int] | None = None  # (file, first line, last line) of its declaration, 1-based

    @property
    def base_name(self) -> str:
        """The block's name without a count/for_each index."""
        return _INDEX.sub("", self.name)

    @property
    def base_address(self) -> str:
        """The address with every instance index removed: how Checkov may name all instances at once."""
        return strip_indexes(self.address)

    def get(self, attribute: str) -> Any:
        """A top-level argument, unwrapped from its one-element list."""
        value = self.config.get(attribute)
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        return value

    def references(self, label_prefix: str) -> Iterator["Block"]:
        """Blocks this one points to from attributes at or under ``label_prefix``."""
        for label, target in self.out:
            if not label_prefix or label == label_prefix or label.startswith(label_prefix + "."):
                yield target


def strip_indexes(address: str) -> str:
    return _ALL_INDEXES.sub("", address)


def module_prefix(address: str) -> str:
    """``module.a.module.b["x"].`` for an address inside modules, "" at the root."""
    return _MODULE.match(address).group(1)  # type: ignore[union-attr]


def full_type(block: Block) -> str:
    return ("data." if block.block_type == "data" else "") + block.type


@dataclass(frozen=True)
class Target:
    """A reference found in an attribute: the block, the attribute it names, and the text right after it."""

    block: Block
    attribute: str  # e.g. arn
    suffix: str  # e.g. "/*" in "${aws_s3_bucket.b.arn}/*"


class ResourceGraph:
    """Read-only index over one scan's instances, built once and shared by all checks."""

    def __init__(self, blocks: Iterable[Block], problems: Iterable[str] = ()) -> None:
        self.blocks = list(blocks)
        self.problems = list(problems)  # roots that could not be evaluated
        self.by_type: dict[str, list[Block]] = defaultdict(list)
        self.by_base_address: dict[str, list[Block]] = defaultdict(list)
        for block in self.blocks:
            self.by_type[full_type(block)].append(block)
            self.by_base_address[block.base_address].append(block)
        self._cache: dict[Any, Any] = {}

    def of_type(self, resource_type: str) -> list[Block]:
        return self.by_type.get(resource_type, [])

    def instances(self, block: Block) -> list[Block]:
        """Every count/for_each instance of the resource that ``block`` is one instance of."""
        return [b for b in self.by_base_address.get(block.base_address, [])
                if b.root == block.root and b.file_path == block.file_path]

    def memo(self, name: Any, build: Callable[["ResourceGraph"], T]) -> T:
        """Per-scan memo for indexes that several checks share (built on first use)."""
        if name not in self._cache:
            self._cache[name] = build(self)
        return self._cache[name]

    def named(self, resource_type: str, attribute: str, value: Any, near: Block) -> list[Block]:
        """Blocks of ``resource_type`` whose literal ``attribute`` is ``value``, in ``near``'s Terraform root.

        A literal name links only within one root and its modules: another
        root is another deployment, which may well reuse the name elsewhere.
        """
        if not isinstance(value, str) or not value:
            return []
        key = symbolic(value, near) if is_unresolved(value) else value
        if key is None:
            return []
        index = self.memo(("named", resource_type, attribute), lambda g: _by_literal(g.of_type(resource_type), attribute))
        return index.get((near.root, key), [])

    def resolve(self, block: Block, label_prefix: str, types: Iterable[str], value: Any = None) -> list[Block]:
        """Blocks of ``types`` (data sources as ``data.<type>``) that an attribute of ``block`` refers to.

        With ``value`` (the attribute's value, or one item of it), only the
        blocks that references in the value name, which tells apart several
        references made under one attribute.
        """
        wanted = set(types)
        found = [t for t in dict.fromkeys(block.references(label_prefix)) if full_type(t) in wanted]
        if value is None:
            return found
        refs = references_in(value)
        return [b for b in found if any(ref.names(b) for ref in refs)]

    def targets(self, block: Block, label: str, text: Any, types: Iterable[str] | None) -> list[Target]:
        """Every reference in ``text`` (an attribute of ``block``) to a block of ``types`` (None: any)."""
        if not isinstance(text, str):
            return []
        wanted = set(types) if types is not None else None
        edges = list(dict.fromkeys(block.references(label)))
        found = []
        for ref, end in reference_spans(text):
            if wanted is not None and ref.type not in wanted:
                continue
            for target in edges:
                if ref.names(target):
                    found.append(Target(target, ref.attribute, _after(text, end)))
        return found


def _by_literal(blocks: list[Block], attribute: str) -> dict[tuple[str, str], list[Block]]:
    index: dict[tuple[str, str], list[Block]] = defaultdict(list)
    for block in blocks:
        value = block.get(attribute)
        if isinstance(value, str) and value:
            key = symbolic(value, block) if is_unresolved(value) else value
            if key is not None:
                index[(block.root, key)].append(block)
    return index


# Unknown parts that still name one value within a root: the caller's account, partition and
# region (per provider configuration), a variable (per module instance), a template parameter.
_PART = re.compile(r"\$\{([^}]*)\}")
NAME_PARTS = ("data.aws_caller_identity", "data.aws_partition", "data.aws_region")
_LOOKUP = re.compile(r"^data\.(aws_caller_identity|aws_partition|aws_region)\.[\w-]+(?:\[[^\]]*\]|\.\d+)?\.(\w+)$")
_REGION_ATTRIBUTES = {"name", "id", "region"}  # aws_region: the same value under three names
_VARIABLE = re.compile(r"^var\.([\w-]+)$")
_PARAMETER = re.compile(r"^[A-Za-z0-9]+$")
_MODULE = re.compile(r'^((?:module\.[\w-]+(?:\[(?:"[^"]*"|\d+)\])?\.)*)')


def symbolic(value: str, block: Block) -> str | None:
    """``value`` with each unknown part written as what it stands for, or None when a part names nothing known.

    ``"logs-${data.aws_caller_identity.current.account_id}"`` is
    ``"logs-${aws_caller_identity.account_id@aws}"`` wherever the lookup is read
    through the same provider configuration, so two values built from the same
    unknown parts name the same thing (the same bucket) within one root.
    """
    unknown = False

    def token(match: re.Match) -> str:
        nonlocal unknown
        found = _token(match.group(1).strip(), block)
        unknown = unknown or found is None
        return "${" + (found or "") + "}"

    key = _PART.sub(token, value)
    return None if unknown or "${" not in key else key


def _token(inner: str, block: Block) -> str | None:
    lookup = _LOOKUP.match(inner)
    if lookup:
        kind, attribute = lookup.groups()
        attribute = "name" if kind == "aws_region" and attribute in _REGION_ATTRIBUTES else attribute
        sources = [t for label, t in block.out if t.block_type == "data" and t.type == kind
                   and any(ref.names(t) for ref in references_in("${" + inner + "}"))]
        providers = {t.provider or "aws" for t in sources}
        return f"{kind}.{attribute}@{providers.pop()}" if len(providers) == 1 else None
    framework = framework_of(block)
    variable = _VARIABLE.match(inner)
    if variable and framework == "terraform":
        return f"var.{variable.group(1)}@{module_prefix(block.address)}"
    if _PARAMETER.match(inner) and framework == "cloudformation":
        return f"parameter.{inner}"
    return None


def _after(text: str, end: int) -> str:
    """The literal text after a reference, up to the next interpolation: ``}/*`` gives ``/*``."""
    rest = re.sub(r'^["}]+', "", text[end:])
    return rest.split("${", 1)[0]

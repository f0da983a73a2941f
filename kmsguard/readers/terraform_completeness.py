"""Did the evaluator keep everything the source writes? Names in a block's text against names in its model.

The evaluator may lose a nested block or an argument without an error (a
construct it does not support, a ``dynamic`` block whose ``for_each`` it cannot
know offline). A lost ``statement`` of a policy document would read as a
policy that grants less, so the reader compares each block's source with what
it got: ``shape`` lists the argument and block names of the source text (a
small lexer: strings, heredocs and comments are blanked first, so a ``{`` or
``=`` inside them counts for nothing), ``lost`` says what the model lacks, and
``source_body`` reads the block again with python-hcl2 (Checkov's own HCL
parser, installed with it) so that what was lost can be put back as written:
literal values as they are, expressions as ``${...}`` text, which no rule
passes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from kmsguard.model.resources import Block, module_prefix
from kmsguard.model.values import as_list
from kmsguard.readers.hcl_scanner import HclScanner

# Meta-arguments and blocks Terraform itself consumes: never in a block's configuration.
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_VARIABLE = re.compile(r"\bvar\.([\w-]+)")
# A data source the evaluation cannot read offline (policy documents it builds itself).
_DATA_READ = re.compile(r"\bdata\.(?!aws_iam_policy_document\.)[\w-]+\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w]+)?")


def complete(block: Block, text: str, has_value: Callable[[str, str], bool],
             edges_in: Callable[[Block, str, Any], None], unknown: list[str]) -> None:
    """Compare the block's source with its model: nothing the evaluator dropped may vanish.

    A ``dynamic`` block whose ``for_each`` the evaluation cannot know (a
    variable without a value, a data source read only at plan time) expands
    to nothing: it is marked unknown, with a placeholder block whose values
    are unknown. Anything else the source writes and the model lacks is read
    again from the source text (python-hcl2), or, when even that fails, stands
    as ``${...}`` text that no rule passes.
    """
    if not text:
        return
    written = shape(text)
    module = module_prefix(block.address)
    for name, dynamics in written.dynamic.items():
        if len(block.config.get(name) or []) > len(written.blocks.get(name, [])):
            continue  # it expanded
        for for_each, content in dynamics:
            missing = [f"var.{n}" for n in _VARIABLE.findall(for_each) if not has_value(module, n)]
            missing += [r.group(0) for r in _DATA_READ.finditer(for_each)]
            if not missing:
                continue
            known = "has no value" if missing[0].startswith("var.") else "is read only at plan time"
            why = f"dynamic block {name!r}: its for_each uses {', '.join(dict.fromkeys(missing))}, which {known}"
            block.config.setdefault("dynamic", []).append({name: [f"${{{why}}}"]})
            block.config.setdefault(name, []).append(_placeholder(name, content, why))
            unknown.append(why)
    dropped = lost(written, block.config, unset=frozenset(block.unset))
    if dropped:
        _read_again(block, text, dropped, edges_in, unknown)


def _read_again(block: Block, text: str, dropped: list["Lost"], edges_in: Callable[[Block, str, Any], None],
                unknown: list[str]) -> None:
    names = ", ".join(dict.fromkeys(f"{d.path + '.' if d.path else ''}{d.name}" for d in dropped))
    body = source_body(text)
    tops = dict.fromkeys(d.path.split(".")[0] if d.path else d.name for d in dropped)
    if body is None:
        why = f"the evaluation lost {names} of {block.address}, and its source could not be read"
        for top in tops:
            block.config[top] = [_placeholder(top, Shape(), why)]
        unknown.append(why)
        return
    for top in tops:
        if top not in body:
            continue
        again = body[top]
        if isinstance(again, list) and again and all(isinstance(v, dict) for v in again):
            # Static blocks as written, beside whatever the evaluation expanded (a repeated statement is harmless).
            block.config[top] = [c for c in block.config.get(top) or [] if isinstance(c, dict)] + again
        else:
            block.config[top] = again
        edges_in(block, top, block.config[top])
    unknown.append(f"the evaluation lost {names} of {block.address}: read from the source as written, "
                   "its expressions unevaluated")


def _placeholder(name: str, content: "Shape", why: str) -> dict:
    """A nested block whose contents cannot be known: every argument it writes is ``${why}``.

    A policy statement gets an unknown effect too, so that it is never read as an Allow with nothing in it.
    """
    unknown = [f"${{{why}}}"]
    placeholder: dict[str, Any] = {argument: list(unknown) for argument in sorted(content.arguments)}
    if name == "statement":
        placeholder["effect"] = list(unknown)
    return placeholder


@dataclass
class Shape:
    """The names one block's source writes."""

    arguments: set[str] = field(default_factory=set)
    blocks: dict[str, list["Shape"]] = field(default_factory=dict)  # static nested blocks by type
    dynamic: dict[str, list[tuple[str, "Shape"]]] = field(default_factory=dict)  # label -> (for_each text, content)


def blank(text: str) -> str:
    """``text`` with the inside of strings, heredocs and comments replaced by spaces (newlines kept).

    A string's own quotes stay at the top level (block labels are read from
    them). Jumps from one special token to the next: the evaluation reads
    every block of a root, so this runs on all of its text.
    """
    return _Blank(text).run()


class _Blank(HclScanner):
    def render(self, kind: str, piece: str, top: bool) -> str:
        return piece if top and kind in ("code", "quote") else _SPACES.sub(" ", piece)


_SPACES = re.compile(r"[^\n]")


def shape(text: str) -> Shape:
    """The names of the block written in ``text`` (its header line first)."""
    code = blank(text)
    start = code.find("{")
    if start < 0:
        return Shape()
    node, _ = _body(code, text, start + 1)
    return node


def _body(code: str, text: str, i: int) -> tuple[Shape, int]:
    """Read a block body from just after its ``{`` to just after its ``}``."""
    node = Shape()
    n = len(code)
    while i < n:
        char = code[i]
        if char.isspace() or char == ",":
            i += 1
            continue
        if char == "}":
            return node, i + 1
        word = _WORD.match(code, i)
        if not word:
            i = _skip_expression(code, i)
            continue
        name, j = word.group(0), word.end()
        while j < n and code[j] in " \t":
            j += 1
        if j < n and code[j] == "=" and not code.startswith("==", j):
            node.arguments.add(name)
            i = _skip_expression(code, j + 1)
            continue
        labels, j = _labels(code, text, j)
        if j < n and code[j] == "{":
            child, i = _body(code, text, j + 1)
            if name == "dynamic" and labels:
                for_each = _for_each(code, text, j + 1)
                content = child.blocks.get("content", [Shape()])[0]
                node.dynamic.setdefault(labels[0], []).append((for_each, content))
            else:
                node.blocks.setdefault(name, []).append(child)
            continue
        i = j + 1
    return node, n


def _labels(code: str, text: str, j: int) -> tuple[list[str], int]:
    """A block header's labels, up to its ``{`` (or the end of the line)."""
    labels: list[str] = []
    while j < len(code) and code[j] != "{" and code[j] != "\n":
        if code[j] == '"':
            end = code.find('"', j + 1)
            labels.append(text[j + 1:end])
            j = end + 1
        else:
            j += 1
    return labels, j


def _skip_expression(code: str, i: int) -> int:
    """From inside an expression to the end of its line, past any brackets it opens."""
    depth = 0
    n = len(code)
    while i < n:
        char = code[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return i  # the enclosing block's "}"
            depth -= 1
        elif char == "\n" and depth == 0:
            return i + 1
        i += 1
    return n


def _for_each(code: str, text: str, i: int) -> str:
    """The ``for_each`` expression text of a ``dynamic`` block whose body starts at ``i``."""
    match = re.compile(r"\s*for_each\s*=").search(code, i)
    if not match:
        return ""
    end = _skip_expression(code, match.end())
    return text[match.end():end].strip()


@dataclass(frozen=True)
class Lost:
    path: str  # "statement", "statement.principals", "" for the block itself
    name: str
    kind: str  # "argument" or "block"


def lost(source: Shape, config: dict, path: str = "", unset: frozenset[str] = frozenset()) -> list[Lost]:
    """What ``source`` writes that ``config`` (a model configuration) lacks.

    ``unset`` holds the labels the reader dropped on purpose (a ``null``
    default); a ``dynamic`` block may legitimately expand to nothing, so only
    its content's names are compared, and only when it expanded.
    """
    found: list[Lost] = []
    label = (lambda name: f"{path}.{name}" if path else name)  # noqa: E731
    for name in sorted(source.arguments - META):
        if name not in config and label(name) not in unset:
            found.append(Lost(path, name, "argument"))
    for name, written in sorted(source.blocks.items()):
        if name in META:
            continue
        have = [c for c in as_list(config.get(name)) if isinstance(c, dict)]
        if len(have) < len(written):
            found.append(Lost(path, name, "block"))
            continue
        merged = _merged(have)
        for child in written:
            found += lost(child, merged, label(name), unset)
    for name, dynamics in sorted(source.dynamic.items()):
        have = [c for c in as_list(config.get(name)) if isinstance(c, dict)]
        if have:
            merged = _merged(have)
            for _, content in dynamics:
                found += lost(content, merged, label(name), unset)
    return list(dict.fromkeys(found))


def _merged(configs: list[dict]) -> dict:
    """Every name any of several instances of a nested block holds (instances vary with dynamic content)."""
    merged: dict[str, Any] = {}
    for config in configs:
        for key, value in config.items():
            merged.setdefault(key, [])
            merged[key] = as_list(merged[key]) + as_list(value)
    return merged


def source_body(text: str) -> dict | None:
    """The block written in ``text`` parsed by python-hcl2, in the model's shape; None when it cannot be read."""
    try:
        import hcl2  # installed with Checkov (bc-python-hcl2); imported only when a block lost something
    except ImportError:
        return None
    try:
        parsed = hcl2.loads(text + "\n")
    except Exception:  # lark raises several error types on text it cannot parse
        return None
    for kind in ("resource", "data"):
        for entry in parsed.get(kind) or []:
            for by_name in entry.values():
                for body in by_name.values():
                    return _clean(body)
    return None


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value

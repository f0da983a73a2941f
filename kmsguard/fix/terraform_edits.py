"""HCL edits as text: set an argument, add lines to a body, add a block after another.

Each function takes the file's text and returns the new text; everything
outside the lines it touches stays byte-identical. The result follows
``terraform fmt``: two-space indentation (or the body's own), and the ``=``
of a run of single-line arguments aligned, as fmt aligns them. Line endings
stay the file's own (CRLF kept).
"""
from __future__ import annotations

import json
import re
from typing import Any

from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_text import (
    Attribute,
    HclSyntaxError,
    Nested,
    body_items,
    expression_end,
    indent_of,
    line_start,
)

_BARE_REFERENCE = re.compile(r"^\$\{((?:data\.)?[a-z][\w-]*(?:\.[\w-]+|\[[^\]]*\])+)\}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]*$")
_ASSIGNMENT = re.compile(r'^([ \t]*)((?:[A-Za-z_][\w-]*|"[^"]*"))[ \t]*=(?![=>])(.*)$')


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def render(value: Any, indent: str = "", unit: str = "  ") -> str:
    """``value`` as an HCL expression; a string that is one ``${reference}`` becomes the bare reference."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        bare = _BARE_REFERENCE.match(value)
        if bare:
            return bare.group(1)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        items = [render(v, indent + unit, unit) for v in value]
        if all("\n" not in i for i in items) and sum(len(i) + 2 for i in items) + len(indent) < 100:
            return "[" + ", ".join(items) + "]"
        return "[\n" + "".join(f"{indent}{unit}{i},\n" for i in items) + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = [k if _IDENTIFIER.match(k) else json.dumps(k) for k in value]
        return "{\n" + object_lines(keys, [render(v, indent + unit, unit) for v in value.values()],
                                    indent + unit) + indent + "}"
    raise EditRefused(f"kmsguard cannot write {type(value).__name__} values")


def object_lines(names: list[str], values: list[str], indent: str) -> str:
    """``name = value`` lines, the ``=`` of each run of single-line values aligned as terraform fmt does."""
    lines = [f"{indent}{n} = {v}" for n, v in zip(names, values)]
    return "".join(line + "\n" for line in align("\n".join(lines)).split("\n"))


def align(text: str) -> str:
    """Align the ``=`` of consecutive single-line assignments (a multi-line value, a blank line or a block ends a run)."""
    lines = text.split("\n")
    run: list[int] = []
    for index in range(len(lines) + 1):
        if index < len(lines) and _chain_line(lines[index]):
            run.append(index)
            continue
        if run:
            width = max(_lead_width(lines[i]) for i in run)
            for i in run:
                lines[i] = _aligned(lines[i], width)
        run = []
    return "\n".join(lines)


def _chain_line(line: str) -> bool:
    match = _ASSIGNMENT.match(line.rstrip("\r"))
    if not match:
        return False
    rest = match.group(3)
    if "<<" in rest:
        return True
    try:
        end = expression_end(rest + "\n", 0)
    except HclSyntaxError:
        return False  # an opening bracket: a multi-line value
    tail = rest[end:].strip()
    return not tail or tail.startswith(("#", "//", "/*"))


def _lead_width(line: str) -> int:
    match = _ASSIGNMENT.match(line.rstrip("\r"))
    assert match
    return len(match.group(1)) + len(match.group(2))


def _aligned(line: str, width: int) -> str:
    match = _ASSIGNMENT.match(line)
    assert match
    lead = match.group(1) + match.group(2)
    return lead + " " * (width - len(lead) + 1) + "=" + match.group(3)


def realign_around(text: str, start: int, end: int) -> str:
    """Re-align the runs of assignments that touch the lines from ``start`` to ``end`` (offsets)."""
    first = line_start(text, start)
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    # Widen to whole runs: up and down while the neighbouring lines are single-line assignments.
    while first > 0:
        previous = line_start(text, first - 1)
        if not _chain_line(text[previous:first - 1]):
            break
        first = previous
    while last < len(text):
        following = text.find("\n", last + 1)
        following = len(text) if following < 0 else following
        if not _chain_line(text[last + 1:following]):
            break
        last = following
    return text[:first] + align(text[first:last]) + text[last:]


def body_unit(text: str, block: Nested) -> str:
    """The indentation one level deeper than ``block``'s header, as the body writes it (two spaces if empty)."""
    outer = indent_of(text, block.start)
    for item in block.items:
        inner = indent_of(text, item.start)
        if inner.startswith(outer) and len(inner) > len(outer):
            return inner[len(outer):]
    return "  "


def find_nested(text: str, block: Nested, path: tuple) -> Nested:
    """The nested block ``path`` names (``("rule", 0)``, ...), refusing where ``dynamic`` blocks make indexes unknowable."""
    current = block
    for name, index in zip(path[::2], path[1::2]):
        if any(isinstance(i, Nested) and i.type == "dynamic" and i.labels[:1] == [name] for i in current.items):
            raise EditRefused(f"{name} blocks are generated by a dynamic block: edit its content by hand")
        found = [i for i in current.items if isinstance(i, Nested) and i.type == name]
        if not isinstance(index, int) or index >= len(found):
            raise EditRefused(f"no {name} block number {index + 1 if isinstance(index, int) else index} in the source")
        current = found[index]
    return current


def attribute(block: Nested, name: str) -> Attribute | None:
    return next((i for i in block.items if isinstance(i, Attribute) and i.name == name), None)


def set_argument(text: str, block: Nested, name: str, value_text: str) -> str:
    """Set ``name`` in ``block``'s body: the value replaced where it is written, or a new line added."""
    existing = attribute(block, name)
    if existing is not None:
        return text[:existing.value_start] + value_text + text[existing.value_end:]
    return insert_lines(text, block, [f"{name} = {value_text}"], after_attributes=True)


def insert_lines(text: str, block: Nested, lines: list[str], after_attributes: bool = False) -> str:
    """Add ``lines`` (one level deeper than ``block``) to its body: after its arguments, or at its end."""
    newline = newline_of(text)
    outer = indent_of(text, block.start)
    unit = body_unit(text, block)
    body = "".join(f"{outer}{unit}{line}{newline}" if line else newline
                   for chunk in lines for line in chunk.split("\n"))
    if "\n" not in text[block.open:block.close]:  # "{}" or "{ ... }" on one line: open it up
        if text[block.open + 1:block.close].strip():
            raise EditRefused("a one-line block body: write it over several lines first")
        new = text[:block.open + 1] + newline + body + outer + text[block.close:]
        return realign_around(new, block.open + 1, block.open + 1 + len(body))
    attributes = [i for i in block.items if isinstance(i, Attribute)]
    if after_attributes and attributes:
        at = text.find("\n", attributes[-1].value_end) + 1
    else:
        at = line_start(text, block.close)
        if not after_attributes and block.items and text[line_start(text, at - 1):at].strip():
            body = newline + body  # a new block is set apart from what precedes it, as maintainers write it
    new = text[:at] + body + text[at:]
    return realign_around(new, at, at + len(body) - 1)


def add_after(text: str, block: Nested, block_text: str) -> str:
    """Add a top-level block right after ``block``, separated by one blank line."""
    newline = newline_of(text)
    end = text.find("\n", block.close)
    end = len(text) if end < 0 else end + 1
    prefix = "" if text[:end].endswith("\n") else newline
    added = prefix + newline + block_text.rstrip("\n").replace("\n", newline) + newline
    return text[:end] + added + text[end:]


def parse_check(text: str) -> None:
    """Refuse a result this module cannot find its way through again (an edit must never break a file)."""
    try:
        body_items(text, 0, len(text))
    except HclSyntaxError as error:
        raise EditRefused(f"the edited file would not parse ({error})") from error

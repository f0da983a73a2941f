"""Inside HCL expressions: the entries of an object constructor and the items of a list, with their offsets.

``jsonencode({ Statement = [ ... ] })`` policies are edited by appending an
item to the ``Statement`` list; these helpers find where that list and its
items begin and end, skipping strings, heredocs and comments whole (the same
scanning rules as ``hcl_text``).
"""
from __future__ import annotations

import json
import re

from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_text import (
    HclSyntaxError,
    _comment_at,
    indent_of,
    skip_comment,
    value_end,
)

_KEY = re.compile(r'[A-Za-z_][\w-]*|"(?:[^"\\]|\\.)*"')


def _skip_gaps(text: str, i: int) -> int:
    while i < len(text):
        if text[i] in " \t\r\n,":
            i += 1
        elif _comment_at(text, i):
            i = skip_comment(text, i)
        else:
            break
    return i


def list_items(text: str, open_at: int) -> tuple[list[tuple[int, int]], int]:
    """``text[open_at]`` is ``[``: each item's (start, end) and the offset of the closing ``]``."""
    items: list[tuple[int, int]] = []
    i = open_at + 1
    while True:
        i = _skip_gaps(text, i)
        if i >= len(text):
            raise HclSyntaxError("missing ']'")
        if text[i] == "]":
            return items, i
        end = value_end(text, i, ",\n]")
        if end <= i:
            raise HclSyntaxError(f"unexpected {text[i]!r} at offset {i}")
        items.append((i, end))
        i = end


def object_entries(text: str, open_at: int) -> tuple[dict[str, tuple[int, int]], int]:
    """``text[open_at]`` is ``{`` of an object constructor: key -> (value start, value end), and the ``}``."""
    entries: dict[str, tuple[int, int]] = {}
    i = open_at + 1
    while True:
        i = _skip_gaps(text, i)
        if i >= len(text):
            raise HclSyntaxError("missing '}'")
        if text[i] == "}":
            return entries, i
        key = _KEY.match(text, i)
        if key is None:
            raise HclSyntaxError(f"unexpected {text[i]!r} at offset {i}")
        j = key.end()
        while j < len(text) and text[j] in " \t":
            j += 1
        if j >= len(text) or text[j] not in "=:":
            raise HclSyntaxError(f"expected '=' at offset {j}")
        j += 1
        while text[j] in " \t":
            j += 1
        end = value_end(text, j, ",\n}")
        entries[key.group(0).strip('"')] = (j, end)
        i = end


def statement_list(text: str, value_start: int, value_end: int) -> int:
    """The offset of the ``[`` of ``Statement`` in a ``jsonencode({...})`` expression, or EditRefused."""
    expression = text[value_start:value_end]
    match = re.match(r"jsonencode\(\s*\{", expression)
    if not match:
        raise EditRefused("the policy is not written as jsonencode({...})")
    entries, _ = object_entries(text, value_start + match.end() - 1)
    span = entries.get("Statement")
    if span is None or not text.startswith("[", span[0]):
        raise EditRefused("the policy's Statement is not a list written in place")
    return span[0]


def append_item(text: str, open_at: int, value: object, unit: str = "  ") -> str:
    """Append ``value`` (rendered as HCL) to the list whose ``[`` is at ``open_at``, in the list's own layout."""
    from kmsguard.fix.terraform_edits import newline_of, render

    newline = newline_of(text)
    items, close = list_items(text, open_at)
    if not items:
        raise EditRefused("the policy's Statement list is empty")
    last_start, last_end = items[-1]
    after = text[last_end:close]
    if "\n" in after:  # one item per line, closing bracket on its own line: a new line before it
        indent = indent_of(text, last_start)
        comma = after.lstrip(" \t").startswith(",")
        at = last_end + (after.index(",") + 1 if comma else 0)
        rendered = render(value, indent, unit).replace("\n", newline)
        return text[:at] + ("" if comma else ",") + newline + indent + rendered + "," + text[at:]
    if "\n" not in text[open_at:close]:  # a list on one line: the item on the same line, in flow style
        return text[:last_end] + ", " + one_line(value) + text[last_end:]
    # "[{ ... }]": the new item hugs the brackets too. terraform fmt indents the "}, {" between two such items
    # one level deeper than the closing "}]", so the last item's closing line becomes that.
    brace = last_end - 1
    start = text.rfind("\n", 0, brace) + 1
    if text[brace] != "}" or text[start:brace].strip():
        raise EditRefused("the policy's Statement list is laid out in a way kmsguard does not extend")
    indent = text[start:brace]
    return (text[:start] + indent + unit + "}, " + render(value, indent, unit).replace("\n", newline)
            + text[last_end:])


def one_line(value: object) -> str:
    """``value`` as a one-line HCL expression (objects as ``{ a = 1, b = 2 }``)."""
    from kmsguard.fix.terraform_edits import render

    if isinstance(value, dict):
        keys = [k if re.fullmatch(r"[A-Za-z_][\w-]*", k) else json.dumps(k) for k in value]
        return "{ " + ", ".join(f"{k} = {one_line(v)}" for k, v in zip(keys, value.values())) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(one_line(v) for v in value) + "]"
    return render(value)

"""Edits to CloudFormation/SAM templates (YAML or JSON) that splice text and never reformat the file.

``set_value(text, path, value, fmt)`` sets the mapping key at ``path``
(``("Resources", "Key", "Properties", "EnableKeyRotation")``; an int is a
sequence index), replacing the value's text or adding the key at the end of
its mapping, creating missing parent mappings. ``append_item(text, path,
item, fmt)`` appends to the sequence at ``path``, creating it when absent.
Values are CloudFormation's JSON form (``{"Fn::GetAtt": ["Key", "Arn"]}``)
and are written in the file's style: YAML in block style with the file's
indentation, dash offset and line endings, in short-form tags
(``!GetAtt Key.Arn``) when the file uses them; JSON with the file's
indentation.

Everything outside the replaced or inserted text stays byte-identical
(comments, blank lines, quoting, key order, tags, anchors, CRLF). Each result
is parsed again and must equal, as data, the original with the edit applied;
otherwise, and for an edit at or inside an anchored (``&a``) or aliased
(``*a``) node or a mapping with a merge key (``<<``), ``EditRefused`` says why
and nothing is returned.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Sequence, Union

import yaml

from kmsguard.fix.errors import EditRefused  # the fix layer's one refusal
from kmsguard.fix.template_nodes import LocateError, Node, json_tree, load_data, yaml_tree

Key = Union[str, int]
__all__ = ["EditRefused", "append_item", "set_value"]


def set_value(text: str, path: Sequence[Key], value: Any, fmt: str, after: str | None = None) -> str:
    """``text`` with the mapping key at ``path`` set to ``value``.

    A key that is added goes at the end of its mapping, or right after the key
    ``after`` when the mapping has it (a new key beside its bucket).
    """
    return _Editor(text, fmt).set(tuple(path), value, after)


def append_item(text: str, path: Sequence[Key], item: Any, fmt: str) -> str:
    """``text`` with ``item`` appended to the sequence at ``path`` (created when absent)."""
    return _Editor(text, fmt).append(tuple(path), item)


# --- the editor -------------------------------------------------------------------------------

_INTRINSIC = re.compile(r"^(?:Ref|Condition|Fn::\w+)$")
_PLAIN = re.compile(r"^[A-Za-z0-9_./$(][^\n]*$")


class _Editor:
    def __init__(self, text: str, fmt: str) -> None:
        if fmt not in ("yaml", "json"):
            raise ValueError(f"fmt must be 'yaml' or 'json', not {fmt!r}")
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        self.text, self.fmt = text[len(self.bom):], fmt
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        try:
            self.root = json_tree(self.text) if fmt == "json" else yaml_tree(self.text)
            self.data = load_data(self.text, fmt)
        except (LocateError, ValueError, yaml.YAMLError) as error:
            raise EditRefused(f"the template does not parse: {error}") from error
        nodes = list(self.root.walk())
        self.short_tags = any(n.tag and n.tag.startswith("!") and not n.tag.startswith("!!") for n in nodes)
        self.unit, self.dash_offset, self.item_offset = self._yaml_style(nodes)
        self.json_unit = self._json_unit(nodes)

    # -- public operations --

    def set(self, path: tuple[Key, ...], value: Any, after: str | None = None) -> str:
        if not path:
            raise EditRefused("an edit needs a path")
        chain = self._walk(path)
        found = chain[-1]
        if len(chain) == len(path) + 1:  # the key exists: replace its value
            self._refuse_anchors_inside(found, path)
            parent = chain[-2]
            key_node = next(k for k, v in parent.entries if v is found) if parent.kind == "map" else None
            new = self._replace(parent, key_node, found, value)
        else:
            missing = path[len(chain) - 1:]
            nested = value
            for key in reversed(missing[1:]):
                if not isinstance(key, str):
                    raise EditRefused(f"no item {key} in the sequence at {_show(path[:len(chain)])}")
                nested = {key: nested}
            if found.kind == "map" and isinstance(missing[0], str):
                new = self._add_entry(found, missing[0], nested, after)
            elif _is_null(found) and len(chain) >= 2 and chain[-2].kind == "map" and isinstance(missing[0], str):
                parent = chain[-2]
                key_node = next(k for k, v in parent.entries if v is found)
                new = self._replace(parent, key_node, found, {missing[0]: nested})
            else:
                raise EditRefused(f"{_show(path[:len(chain) - 1])} is not a mapping that could hold {missing[0]!r}")
        expected = copy.deepcopy(self.data)
        _put(expected, path, value)
        return self._checked(new, expected)

    def append(self, path: tuple[Key, ...], item: Any) -> str:
        chain = self._walk(path)
        found = chain[-1]
        if len(chain) != len(path) + 1 or _is_null(found):
            return self.set(path, [item])
        if found.kind != "seq":
            raise EditRefused(f"{_show(path)} is not a list")
        new = self._add_item(found, item)
        expected = copy.deepcopy(self.data)
        _get(expected, path).append(item)
        return self._checked(new, expected)

    # -- finding nodes --

    def _walk(self, path: tuple[Key, ...]) -> list[Node]:
        """The nodes from the root along ``path``, as far as they exist; refuses anchors, aliases, merges."""
        chain = [self.root]
        for depth, key in enumerate(path):
            node = chain[-1]
            self._refuse_shared(node, path[:depth])
            found = node.lookup(key)
            if len(found) > 1:
                raise EditRefused(f"{_show(path[:depth + 1])} is written more than once")
            if not found:
                break
            chain.append(found[0])
        else:
            self._refuse_shared(chain[-1], path)
        return chain

    @staticmethod
    def _refuse_shared(node: Node, where: tuple[Key, ...]) -> None:
        if node.kind == "alias":
            raise EditRefused(f"{_show(where)} is an alias (*{node.anchor}) of a node used elsewhere: edit refused")
        if node.anchor:
            raise EditRefused(f"{_show(where)} is anchored (&{node.anchor}) and may be used elsewhere: edit refused")
        if node.kind == "map" and any(k.kind == "scalar" and k.value == "<<" and k.style is None for k, _ in node.entries):
            raise EditRefused(f"{_show(where)} merges another mapping (<<): edit refused")

    @staticmethod
    def _refuse_anchors_inside(node: Node, where: tuple[Key, ...]) -> None:
        for inner in node.walk():
            if inner.anchor or inner.kind == "alias":
                raise EditRefused(f"{_show(where)} holds an anchor or alias (&/*{inner.anchor}): edit refused")

    # -- splicing --

    def _splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]

    def _column(self, at: int) -> int:
        return at - (self.text.rfind("\n", 0, at) + 1)

    def _line_indent(self, at: int) -> str:
        line_start = self.text.rfind("\n", 0, at) + 1
        return re.match(r"[ \t]*", self.text[line_start:]).group()  # type: ignore[union-attr]

    def _text_end(self, node: Node) -> int:
        """The end of the node's own text, without trailing line breaks (a block scalar keeps them)."""
        end = node.end
        while end > node.start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _end_of_line(self, at: int) -> int:
        """Where the line holding ``at`` ends (before its line break), after any trailing comment."""
        end = self.text.find("\n", at)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def _replace(self, parent: Node, key_node: Node | None, old: Node, value: Any) -> str:
        end = self._text_end(old)
        if self.fmt == "json":
            return self._splice(old.start, end, self._json(value, self._line_indent(old.start)))
        if parent.flow:
            return self._splice(old.start, end, self._yaml_flow(value, True))
        if self._inline(value):
            start = old.start
            if key_node is not None and not old.flow:  # a block collection: the value moves up beside its key
                start = self.text.index(":", key_node.end) + 1
            return self._splice(start, end, (" " if _needs_space(self.text, start) else "") + self._yaml_flow(value))
        if key_node is None:  # an item of a block sequence: the new block starts where the old item did
            return self._splice(old.start, end, self._yaml_block(value, self._column(old.start)))
        same_kind = not old.flow and old.kind == ("map" if isinstance(value, dict) else "seq")
        if same_kind:
            return self._splice(old.start, end, self._yaml_block(value, self._column(old.start)))
        column = self._column(key_node.start) + (self.unit if isinstance(value, dict) else self.dash_offset)
        colon = self.text.index(":", key_node.end) + 1
        block = self._yaml_block(value, column)
        return self._splice(colon, end, self.newline + " " * column + block)

    def _add_entry(self, mapping: Node, key: str, value: Any, after: str | None = None) -> str:
        keys = [k.value for k, _ in mapping.entries]
        position = keys.index(after) + 1 if after in keys else len(keys)
        if self.fmt == "json":
            member = json.dumps(key, ensure_ascii=False) + ": "
            return self._json_insert(mapping, lambda indent: member + self._json(value, indent), position)
        if mapping.flow:
            entry = f"{self._yaml_scalar(key, True)}: {self._yaml_flow(value, True)}"
            if mapping.entries:
                return self._splice(self._text_end(mapping.entries[-1][1]), self._text_end(mapping.entries[-1][1]),
                                    ", " + entry)
            return self._splice(mapping.start + 1, mapping.start + 1, entry)
        if not mapping.entries:  # an empty document
            block = self._yaml_block({key: value}, 0)
            lead = "" if not self.text or self.text.endswith("\n") else self.newline
            return self.text + lead + block + self.newline
        column = self._column(mapping.entries[0][0].start)
        at = self._end_of_line(self._text_end(mapping.entries[position - 1][1]))
        entry = self._yaml_block({key: value}, column)
        # Entries set apart by blank lines (resources, usually) get one before the new entry too.
        blank = len(keys) > 1 and re.search(r"\n[ \t]*\r?\n", self.text[mapping.entries[-2][1].end:
                                                                       mapping.entries[-1][0].start])
        return self._splice(at, at, self.newline * (2 if blank else 1) + " " * column + entry)

    def _add_item(self, sequence: Node, item: Any) -> str:
        if self.fmt == "json":
            return self._json_insert(sequence, lambda indent: self._json(item, indent))
        if sequence.flow:
            if sequence.items:
                at = self._text_end(sequence.items[-1])
                return self._splice(at, at, ", " + self._yaml_flow(item, True))
            return self._splice(sequence.start + 1, sequence.start + 1, self._yaml_flow(item, True))
        dash = self._column(sequence.start)
        offset = self._column(sequence.items[0].start) - dash
        offset = offset if offset >= 2 else self.item_offset
        at = self._end_of_line(self._text_end(sequence))
        entry = " " * dash + "-" + " " * (offset - 1) + self._yaml_block(item, dash + offset)
        return self._splice(at, at, self.newline + entry)

    def _json_insert(self, collection: Node, render, position: int | None = None) -> str:
        children = [v for _, v in collection.entries] if collection.kind == "map" else collection.items
        firsts = [k for k, _ in collection.entries[:1]] or collection.items[:1]
        previous = children[(len(children) if position is None else position) - 1] if children else None
        if previous is not None and "\n" not in self.text[collection.start:firsts[0].start]:  # on one line
            return self._splice(previous.end, previous.end, ", " + render(None))
        if previous is not None:
            indent = self._line_indent(firsts[0].start)
            return self._splice(previous.end, previous.end, "," + self.newline + indent + render(indent))
        outer = self._line_indent(collection.start)
        indent = outer + self.json_unit
        at = collection.start + 1
        return self._splice(at, at, self.newline + indent + render(indent) + self.newline + outer)

    def _checked(self, new: str, expected: Any) -> str:
        try:
            actual = load_data(new, self.fmt)
        except (ValueError, yaml.YAMLError) as error:
            raise EditRefused(f"the edited template would not parse ({error}): edit refused") from error
        if actual != expected:
            raise EditRefused("the edited template would not hold exactly the intended change: edit refused")
        return self.bom + new

    # -- rendering --

    def _json(self, value: Any, indent: str | None) -> str:
        if indent is None:
            return json.dumps(value, ensure_ascii=False)
        return json.dumps(value, indent=self.json_unit, ensure_ascii=False).replace("\n", self.newline + indent)

    def _intrinsic(self, value: Any) -> tuple[str, Any] | None:
        if self.short_tags and isinstance(value, dict) and len(value) == 1:
            name, argument = next(iter(value.items()))
            if isinstance(name, str) and _INTRINSIC.match(name):
                return name.removeprefix("Fn::"), argument
        return None

    def _inline(self, value: Any) -> bool:
        return not isinstance(value, (dict, list)) or not value or self._intrinsic(value) is not None

    def _yaml_flow(self, value: Any, flow: bool = False) -> str:
        """A value on one line; ``flow`` inside a flow collection (``,[]{}`` must be quoted there)."""
        short = self._intrinsic(value)
        if short is not None:
            name, argument = short
            if name == "GetAtt" and isinstance(argument, list) and len(argument) == 2 \
                    and all(isinstance(a, str) for a in argument):
                return f"!GetAtt {self._yaml_scalar('.'.join(argument), flow)}"
            return f"!{name} {self._yaml_flow(argument, flow)}"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self._yaml_scalar(str(k), True)}: {self._yaml_flow(v, True)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self._yaml_flow(v, True) for v in value) + "]"
        return self._yaml_scalar(value, flow)

    def _yaml_block(self, value: Any, column: int) -> str:
        """``value`` in block style, its first line at the current position in ``column``, the rest indented."""
        if self._inline(value):
            return self._yaml_flow(value)
        pad = self.newline + " " * column
        if isinstance(value, list):
            lead = "-" + " " * (self.item_offset - 1)
            return pad.join(lead + self._yaml_block(item, column + self.item_offset) for item in value)
        lines = []
        for key, item in value.items():
            name = self._yaml_scalar(str(key), False)
            if self._inline(item):
                lines.append(f"{name}: {self._yaml_flow(item)}")
            else:
                inner = column + (self.unit if isinstance(item, dict) else self.dash_offset)
                lines.append(f"{name}:{self.newline}{' ' * inner}{self._yaml_block(item, inner)}")
        return pad.join(lines)

    @staticmethod
    def _yaml_scalar(value: Any, flow: bool) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if isinstance(value, (int, float)):
            return repr(value)
        text = str(value)
        plain = bool(_PLAIN.match(text)) and ": " not in text and " #" not in text and text == text.strip() \
            and not (flow and any(c in text for c in ",[]{}"))
        if plain:
            try:
                plain = yaml.safe_load(f"k: {text}") == {"k": text}
            except yaml.YAMLError:
                plain = False
        if plain:
            return text
        if text.isprintable():
            return "'" + text.replace("'", "''") + "'"
        return json.dumps(text)

    # -- the file's style --

    def _yaml_style(self, nodes: list[Node]) -> tuple[int, int, int]:
        """Indentation of a nested mapping, of a sequence under its key, and of an item after its dash."""
        unit = dash = item = None
        for node in nodes:
            if node.kind == "map" and not node.flow:
                for key, value in node.entries:
                    if value.flow or value.kind not in ("map", "seq") or "\n" not in self.text[key.end:value.start]:
                        continue
                    step = self._column(value.start) - self._column(key.start)
                    if value.kind == "map" and unit is None and step > 0:
                        unit = step
                    if value.kind == "seq" and dash is None and step >= 0:
                        dash = step
            if node.kind == "seq" and not node.flow and item is None and node.items:
                step = self._column(node.items[0].start) - self._column(node.start)
                item = step if step >= 2 else None
        unit = unit or 2
        return unit, unit if dash is None else dash, item or 2

    def _json_unit(self, nodes: list[Node]) -> str:
        for node in nodes:
            firsts = [k for k, _ in node.entries[:1]] or node.items[:1]
            if firsts and "\n" in self.text[node.start:firsts[0].start]:
                outer, inner = self._line_indent(node.start), self._line_indent(firsts[0].start)
                if inner.startswith(outer) and len(inner) > len(outer):
                    return inner[len(outer):]
        return "  "


def _is_null(node: Node) -> bool:
    return node.kind == "scalar" and node.style is None and node.tag is None and node.value in ("", "~", "null", None)


def _needs_space(text: str, at: int) -> bool:
    return at > 0 and text[at - 1] == ":"


def _show(path: tuple[Key, ...]) -> str:
    return ".".join(str(p) for p in path) or "the template"


def _get(data: Any, path: tuple[Key, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _put(data: Any, path: tuple[Key, ...], value: Any) -> None:
    for key in path[:-1]:
        if isinstance(data, dict) and (key not in data or data[key] is None):
            data[key] = {}
        data = data[key]
    data[path[-1]] = value

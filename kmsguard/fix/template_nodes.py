"""Where each node of a CloudFormation template's text begins and ends, for splicing edits into it.

The editor never dumps a file again: it finds the node an edit touches and
replaces or extends its text. So a template is parsed here only to locate
nodes. YAML goes through PyYAML's parser events (their marks are character
offsets; anchors, aliases, tags and flow/block style come with them); JSON
through a small scanner of our own (PyYAML rejects tab-indented JSON).

A ``Node``'s ``end`` is where its own text ends: for a block collection, the
end of its last entry's text (PyYAML's own end mark lies after any trailing
comments and blank lines, which belong to what follows).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Union

import yaml

from kmsguard.readers.cloudformation_templates import parse_text


class LocateError(ValueError):
    """The text does not parse; the message says where."""


@dataclass
class Node:
    kind: str  # "map", "seq", "scalar" or "alias"
    start: int
    end: int
    flow: bool = True  # flow (or JSON) collection, or any scalar; False for a YAML block collection
    tag: str | None = None
    anchor: str | None = None
    value: Any = None  # a scalar's text (a JSON scalar's decoded value)
    style: str | None = None  # a YAML scalar's style: None (plain), "'", '"', "|", ">"
    entries: list[tuple["Node", "Node"]] = field(default_factory=list)  # map: (key, value)
    items: list["Node"] = field(default_factory=list)  # seq

    def lookup(self, key: Union[str, int]) -> list["Node"]:
        """The value node(s) under ``key`` (a mapping key, or a sequence index)."""
        if self.kind == "map" and isinstance(key, str):
            return [v for k, v in self.entries if k.kind == "scalar" and str(k.value) == key]
        if self.kind == "seq" and isinstance(key, int) and -len(self.items) <= key < len(self.items):
            return [self.items[key]]
        return []

    def walk(self):
        yield self
        for key, value in self.entries:
            yield from key.walk()
            yield from value.walk()
        for item in self.items:
            yield from item.walk()


# --- YAML -------------------------------------------------------------------------------------

def yaml_tree(text: str) -> Node:
    """The document's root node (an empty mapping for an empty document)."""
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise LocateError(f"YAML does not parse: {error}") from error
    documents = [i for i, e in enumerate(events) if isinstance(e, yaml.DocumentStartEvent)]
    if len(documents) > 1:
        raise LocateError("the file holds several YAML documents")
    if not documents:
        return Node("map", 0, 0, flow=False)
    return _YamlBuilder(text, events, documents[0] + 1).node()


class _YamlBuilder:
    def __init__(self, text: str, events: list, position: int) -> None:
        self.text, self.events, self.position = text, events, position

    def take(self) -> Any:
        self.position += 1
        return self.events[self.position - 1]

    def node(self) -> Node:
        event = self.take()
        if isinstance(event, yaml.AliasEvent):
            return Node("alias", event.start_mark.index, event.end_mark.index, anchor=event.anchor)
        if isinstance(event, yaml.ScalarEvent):
            return Node("scalar", event.start_mark.index, event.end_mark.index, tag=event.tag, anchor=event.anchor,
                        value=event.value, style=event.style)
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(Node("map", event.start_mark.index, 0, bool(event.flow_style), event.tag, event.anchor))
        if isinstance(event, yaml.SequenceStartEvent):
            made = Node("seq", event.start_mark.index, 0, bool(event.flow_style), event.tag, event.anchor)
            while not isinstance(self.events[self.position], yaml.SequenceEndEvent):
                made.items.append(self.node())
            closing = self.take()
            made.end = closing.end_mark.index if made.flow else made.items[-1].end
            return made
        raise LocateError(f"unexpected YAML event {type(event).__name__}")

    def mapping(self, made: Node) -> Node:
        while not isinstance(self.events[self.position], yaml.MappingEndEvent):
            key = self.node()
            value = self.node()
            if not made.flow and value.kind == "scalar" and value.value == "" and value.style is None \
                    and value.tag is None:
                # ``Key:`` with nothing after it: PyYAML marks the empty value at the next token.
                value.start = value.end = self.text.index(":", key.end) + 1
            made.entries.append((key, value))
        closing = self.take()
        made.end = closing.end_mark.index if made.flow else made.entries[-1][1].end
        return made


# --- JSON -------------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"')
_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def json_tree(text: str) -> Node:
    """The root node of a JSON document, every node with its character span."""
    scanner = _JsonScanner(text)
    root = scanner.value(scanner.skip(0))
    if scanner.skip(root.end) != len(text):
        raise LocateError(f"JSON does not parse: extra data at character {scanner.skip(root.end)}")
    return root


class _JsonScanner:
    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, at: int) -> int:
        match = _SPACE.match(self.text, at)
        return match.end() if match else at

    def fail(self, at: int, what: str) -> LocateError:
        line = self.text.count("\n", 0, at) + 1
        return LocateError(f"JSON does not parse: {what} at line {line}")

    def value(self, at: int) -> Node:
        char = self.text[at:at + 1]
        if char == "{":
            return self.collection(at, "map", "}")
        if char == "[":
            return self.collection(at, "seq", "]")
        if char == '"':
            match = _STRING.match(self.text, at)
            try:
                decoded = json.loads(match.group()) if match else None
            except ValueError as error:
                raise self.fail(at, "a bad string") from error
            if match is None:
                raise self.fail(at, "an unterminated string")
            return Node("scalar", at, match.end(), value=decoded, style='"')
        match = _LITERAL.match(self.text, at)
        if not match:
            raise self.fail(at, "a value expected")
        return Node("scalar", at, match.end(), value=json.loads(match.group()))

    def collection(self, at: int, kind: str, closer: str) -> Node:
        made = Node(kind, at, 0)
        position = self.skip(at + 1)
        if self.text[position:position + 1] == closer:
            made.end = position + 1
            return made
        while True:
            if kind == "map":
                key = self.value(position)
                if key.style != '"':
                    raise self.fail(position, "a quoted key expected")
                position = self.skip(key.end)
                if self.text[position:position + 1] != ":":
                    raise self.fail(position, "':' expected")
                item = self.value(self.skip(position + 1))
                made.entries.append((key, item))
            else:
                item = self.value(position)
                made.items.append(item)
            position = self.skip(item.end)
            char = self.text[position:position + 1]
            if char == closer:
                made.end = position + 1
                return made
            if char != ",":
                raise self.fail(position, f"',' or '{closer}' expected")
            position = self.skip(position + 1)


# --- the data, to check each edit's result ----------------------------------------------

def load_data(text: str, fmt: str) -> Any:
    """The template as data, short-form tags in their JSON form (``{"Fn::GetAtt": [...]}``): as the reader reads it."""
    return parse_text(text, fmt)

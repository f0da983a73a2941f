"""Where HCL nodes begin and end in the original text: just enough parsing to splice edits in.

Nothing here rewrites text. ``body_items`` lists a body's attributes and
nested blocks with their offsets; strings (with ``${...}`` templates),
heredocs, comments and brackets are skipped as a whole, so a ``}`` inside a
string or a heredoc never ends a block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_IDENT = re.compile(r"[A-Za-z_][\w-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_INDENT = re.compile(r"[ \t]*")


class HclSyntaxError(ValueError):
    """The text is not HCL this module can find its way through."""


@dataclass
class Attribute:
    name: str
    start: int  # the attribute name
    value_start: int
    value_end: int  # end of the expression (before a trailing comment and the newline)

    def value(self, text: str) -> str:
        return text[self.value_start:self.value_end]


@dataclass
class Nested:
    type: str  # "rule", or "dynamic" with labels ["rule"]
    labels: list[str]
    start: int
    open: int  # the "{"
    close: int  # the matching "}"
    items: list = field(default_factory=list)


def skip_string(text: str, i: int) -> int:
    """``text[i]`` is ``"``: the index after the closing quote."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        if char in "$%" and text.startswith("{", i + 1) and not text.startswith(char * 2, i - 1):
            i = skip_balanced(text, i + 2, "}")
            continue
        if char == "\n":
            raise HclSyntaxError(f"unterminated string at offset {i}")
        i += 1
    raise HclSyntaxError("unterminated string")


def skip_heredoc(text: str, i: int) -> int:
    match = _HEREDOC.match(text, i)
    if not match:
        raise HclSyntaxError(f"bad heredoc at offset {i}")
    end = re.compile(r"^[ \t]*" + re.escape(match.group(2)) + r"[ \t]*\r?$", re.M).search(text, match.end())
    if not end:
        raise HclSyntaxError(f"unterminated heredoc {match.group(2)}")
    return end.end()


def skip_comment(text: str, i: int) -> int:
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end < 0:
            raise HclSyntaxError("unterminated comment")
        return end + 2
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _comment_at(text: str, i: int) -> bool:
    return text[i] == "#" or text.startswith("//", i) or text.startswith("/*", i)


_SIGNIFICANT = re.compile(r'[()\[\]{}"#/<]')  # every other character is skipped in one regex step


def skip_balanced(text: str, i: int, closer: str) -> int:
    """From just inside an opening bracket: the index after its ``closer``."""
    while i < len(text):
        found = _SIGNIFICANT.search(text, i)
        if found is None:
            break
        i = found.start()
        char = text[i]
        if char == closer:
            return i + 1
        if char in _CLOSERS:
            i = skip_balanced(text, i + 1, _CLOSERS[char])
        elif char == '"':
            i = skip_string(text, i)
        elif _comment_at(text, i):
            i = skip_comment(text, i)
        elif text.startswith("<<", i) and _HEREDOC.match(text, i):
            i = skip_heredoc(text, i)
        elif char in ")]}":
            raise HclSyntaxError(f"unbalanced {char!r} at offset {i}")
        else:
            i += 1
    raise HclSyntaxError(f"missing {closer!r}")


def expression_end(text: str, i: int) -> int:
    """The end of an attribute's expression starting at ``i``: its newline at depth 0 (trailing comment excluded)."""
    return value_end(text, i, "\n}")


def value_end(text: str, i: int, stops: str) -> int:
    """The end of an expression starting at ``i``: the first of ``stops`` or a comment at depth 0, spaces trimmed."""
    while i < len(text):
        char = text[i]
        if char in stops or _comment_at(text, i):
            break
        if char in _CLOSERS:
            i = skip_balanced(text, i + 1, _CLOSERS[char])
        elif char == '"':
            i = skip_string(text, i)
        elif text.startswith("<<", i) and _HEREDOC.match(text, i):
            i = skip_heredoc(text, i)
        else:
            i += 1
    while i > 0 and text[i - 1] in " \t\r":  # trailing spaces trimmed without copying the text before them
        i -= 1
    return i


def body_items(text: str, start: int, end: int) -> list:
    """The attributes and nested blocks of the body between ``start`` (after ``{``) and ``end`` (its ``}``)."""
    items: list = []
    i = start
    while i < end:
        char = text[i]
        if char in " \t\r\n":
            i += 1
            continue
        if _comment_at(text, i):
            i = skip_comment(text, i)
            continue
        name = _IDENT.match(text, i)
        if not name:
            raise HclSyntaxError(f"unexpected {char!r} at offset {i}")
        j = name.end()
        while j < end and text[j] in " \t":
            j += 1
        if text[j] == "=" and not text.startswith("==", j):
            value_start = j + 1
            while text[value_start] in " \t":
                value_start += 1
            value_end = expression_end(text, value_start)
            items.append(Attribute(name.group(0), i, value_start, value_end))
            i = value_end
            continue
        labels, j = _labels(text, j)
        close = skip_balanced(text, j + 1, "}") - 1
        items.append(Nested(name.group(0), labels, i, j, close, body_items(text, j + 1, close)))
        i = close + 1
    return items


def _labels(text: str, j: int) -> tuple[list[str], int]:
    """A block's labels, up to its ``{`` (returned as the second value)."""
    labels = []
    while text[j] != "{":
        if text[j] == '"':
            after = skip_string(text, j)
            labels.append(text[j + 1:after - 1])
            j = after
        elif text[j] in " \t":
            j += 1
        elif (label := _IDENT.match(text, j)) is not None:
            labels.append(label.group(0))
            j = label.end()
        else:
            raise HclSyntaxError(f"unexpected {text[j]!r} at offset {j}")
    return labels, j


def line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def indent_of(text: str, i: int) -> str:
    return _INDENT.match(text, line_start(text, i)).group(0)  # type: ignore[union-attr]  # [ \t]* always matches

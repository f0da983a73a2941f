"""One pass over HCL text that tells expressions from string text, heredoc text and comments.

The Terraform reader needs this twice: to rewrite plan-time lookups inside
expressions (never inside a string literal or a comment), and to blank out
strings and comments before it reads the names a block's source writes. It
jumps from one special token to the next with regular expressions: the
evaluation reads every block of a root, so this runs on all of its text.
"""
from __future__ import annotations

import re
from typing import Any

_CODE = r'"|#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z)|<<-?(?P<marker>[A-Za-z_]\w*)[ \t]*\n|\{|\}'
_STRING_TOKEN = re.compile(r'\\.|\$\$\{|%%\{|\$\{|%\{|"', re.S)
_TEMPLATE_TOKEN = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


class HclScanner:
    """Emits the text piece by piece through ``render(kind, piece, top)``; subclasses choose what to write.

    Kinds: ``code`` (expression text and braces), ``special`` (a match of
    ``special``, an expression token a subclass replaces), ``quote`` (a
    string's opening or closing quote), ``comment``, and ``text`` (string and
    heredoc text, escapes, interpolation marks, heredoc openers and closers).
    ``top`` is true for code of the block structure itself, false inside an
    interpolation; for a quote, whether its string sits in such code.
    """

    special: re.Pattern | None = None

    def __init__(self, text: str) -> None:
        self.text, self.i, self.out = text, 0, []  # type: tuple[str, int, list[str]]
        # ("code", open braces) | ("string", None) | ("heredoc", its closing line)
        self.stack: list[tuple[str, Any]] = [("code", 0)]
        special = f"(?P<special>{self.special.pattern})|" if self.special is not None else ""
        self.code_token = re.compile(special + _CODE, re.S)

    def render(self, kind: str, piece: str, top: bool) -> str:
        return piece

    def run(self) -> str:
        while self.i < len(self.text):
            if self.stack[-1][0] == "code":
                self._code()
            else:
                self._template()
        return "".join(self.out)

    def _emit(self, end: int, kind: str, top: bool = False) -> None:
        self.out.append(self.render(kind, self.text[self.i:end], top))
        self.i = end

    def _code(self) -> None:
        text, state, top = self.text, self.stack[-1][1], len(self.stack) == 1
        match = self.code_token.search(text, self.i)
        if not match:
            return self._emit(len(text), "code", top)
        self._emit(match.start(), "code", top)
        token = match.group(0)
        if self.special is not None and match.group("special") is not None:
            return self._emit(match.end(), "special", top)
        if token == '"':
            self.stack.append(("string", None))
            return self._emit(self.i + 1, "quote", top)
        if token.startswith(("#", "//", "/*")):
            return self._emit(match.end(), "comment", top)
        if token.startswith("<<"):
            closing = re.compile(r"^[ \t]*" + re.escape(match.group("marker")) + r"[ \t]*$", re.M)
            self.stack.append(("heredoc", closing))
            return self._emit(match.end(), "text", top)
        if token == "}" and state == 0 and not top:
            self.stack.pop()  # the end of an interpolation
            return self._emit(self.i + 1, "text", len(self.stack) == 1)
        self.stack[-1] = ("code", state + (1 if token == "{" else -1))
        self._emit(self.i + 1, "code", top)

    def _template(self) -> None:
        kind, closing = self.stack[-1]
        match = (_STRING_TOKEN if kind == "string" else _TEMPLATE_TOKEN).search(self.text, self.i)
        end_line = closing.search(self.text, self.i) if kind == "heredoc" else None
        if end_line and (not match or end_line.start() <= match.start()):
            self._emit(end_line.end(), "text")
            self.stack.pop()
            return
        if not match:
            return self._emit(len(self.text), "text")
        self._emit(match.start(), "text")
        token = match.group(0)
        if token in ("${", "%{"):
            self.stack.append(("code", 0))
        elif token == '"':
            self.stack.pop()
            return self._emit(match.end(), "quote", len(self.stack) == 1)
        self._emit(match.end(), "text")  # an interpolation's opening, or an escape (literal text)

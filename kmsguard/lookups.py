"""Keep data-source lookups visible through evaluation.

``terraform plan`` reads data sources (the account ID, the partition, a KMS
alias's key) before it plans resources; an offline evaluator cannot, and
turns every value built from one into "unknown", often with the whole list
or ``jsonencode`` object around it. So before evaluation each reference to
such a lookup in an expression is replaced by the literal text of the
reference (``data.aws_partition.current.partition`` becomes the string
``"$${data.aws_partition.current.partition}"``, which HCL evaluates to
``${data.aws_partition.current.partition}``). The model then holds the
reference where the value would be, and the rules judge the literal rest
(an alias name, a key ID, ``:key/*``) and the lookup itself.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from typing import Iterator

# Lookups whose values are read at plan time and matter to the rules (ARNs, key lookups).
LOOKUP_TYPES = ("aws_caller_identity", "aws_partition", "aws_region", "aws_kms_alias", "aws_kms_key")
_LOOKUP = re.compile(
    r"(?<![\w.])data\.(?:" + "|".join(LOOKUP_TYPES) + r')\.[\w-]+(?:\[\d+\]|\["[^"\\]*"\])?\.[\w]+'
)
_HEREDOC = re.compile(r"<<-?([A-Za-z_]\w*)[ \t]*\n")


def mentions_lookups(text: str) -> bool:
    return _LOOKUP.search(text) is not None


def rewrite(text: str) -> str:
    """``text`` (HCL) with each lookup reference in an expression replaced by a string of its own text."""
    out: list[str] = []
    stack: list[list] = [["code", 0]]  # contexts: ["code", brace depth] | ["string"] | ["heredoc", marker]
    i, n = 0, len(text)
    while i < n:
        context = stack[-1]
        char = text[i]
        if context[0] == "code":
            match = _LOOKUP.match(text, i)
            if match:
                out.append('"$${' + match.group(0).replace('"', '\\"') + '}"')
                i = match.end()
                continue
            if char == "#" or text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                out.append(text[i:end])
                i = end
                continue
            if text.startswith("/*", i):
                end = text.find("*/", i + 2)
                end = n if end < 0 else end + 2
                out.append(text[i:end])
                i = end
                continue
            heredoc = _HEREDOC.match(text, i)
            if heredoc:
                stack.append(["heredoc", heredoc.group(1)])
                out.append(heredoc.group(0))
                i = heredoc.end()
                continue
            if char == '"':
                stack.append(["string"])
            elif char == "{":
                context[1] += 1
            elif char == "}":
                if context[1] == 0 and len(stack) > 1:
                    stack.pop()  # end of an interpolation
                else:
                    context[1] -= 1
            out.append(char)
            i += 1
            continue
        if context[0] == "heredoc":
            line_end = text.find("\n", i)
            line = text[i:n if line_end < 0 else line_end]
            if line.strip() == context[1] and (i == 0 or text[i - 1] == "\n"):
                stack.pop()
                out.append(line)
                i += len(line)
                continue
        if char == "\\" and context[0] == "string":
            out.append(text[i:i + 2])
            i += 2
            continue
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i:i + 3])
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            stack.append(["code", 0])
            out.append(text[i:i + 2])
            i += 2
            continue
        if char == '"' and context[0] == "string":
            stack.pop()
        out.append(char)
        i += 1
    return "".join(out)


_MODULE_SOURCE = re.compile(r'\bsource\s*=\s*"(\.{1,2}/[^"]*)"')
_COPIED = (".tf", ".tf.json", ".tfvars", ".tfvars.json", "modules.json")


def module_dirs(root: str) -> set[str]:
    """``root`` and every directory it reaches through local module sources or ``.terraform/modules``."""
    found: set[str] = set()
    stack = [os.path.abspath(root)]
    installed = os.path.join(os.path.abspath(root), ".terraform", "modules")
    if os.path.isdir(installed):
        stack += [d for d, _, _ in os.walk(installed)]
    while stack:
        directory = stack.pop()
        if directory in found or not os.path.isdir(directory):
            continue
        found.add(directory)
        for name in _files(directory):
            if name.endswith(".tf"):
                for source in _MODULE_SOURCE.findall(_read(os.path.join(directory, name))):
                    stack.append(os.path.normpath(os.path.join(directory, source)))
    return found


@contextlib.contextmanager
def evaluable(root: str) -> Iterator[str]:
    """A directory to evaluate in place of ``root``: itself, or a rewritten copy when lookups are used.

    The copy keeps every path relative to the common ancestor of the module
    directories, and every line where it was, so file names and line numbers
    the evaluator reports hold for the originals.
    """
    root = os.path.abspath(root)
    dirs = module_dirs(root)
    if not any(name.endswith(".tf") and mentions_lookups(_read(os.path.join(d, name))) for d in dirs for name in _files(d)):
        yield root
        return
    common = os.path.commonpath(sorted(dirs))
    with tempfile.TemporaryDirectory(prefix="kmsguard-") as copy:
        for directory in dirs:
            target = os.path.join(copy, os.path.relpath(directory, common))
            os.makedirs(target, exist_ok=True)
            for name in _files(directory):
                if name.endswith(_COPIED):
                    text = _read(os.path.join(directory, name))
                    with open(os.path.join(target, name), "w", encoding="utf-8") as handle:
                        handle.write(rewrite(text) if name.endswith(".tf") else text)
        yield os.path.join(copy, os.path.relpath(root, common))


def _files(directory: str) -> list[str]:
    try:
        return [e.name for e in os.scandir(directory) if e.is_file()]
    except OSError:
        return []


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""

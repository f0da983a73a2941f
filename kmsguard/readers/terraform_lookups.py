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

from kmsguard.readers.hcl_scanner import HclScanner

# Lookups whose values are read at plan time and matter to the rules (ARNs, key lookups).
LOOKUP_TYPES = ("aws_caller_identity", "aws_partition", "aws_region", "aws_kms_alias", "aws_kms_key")
_LOOKUP = re.compile(
    r"(?<![\w.])data\.(?:" + "|".join(LOOKUP_TYPES) + r')\.[\w-]+(?:\[\d+\]|\["[^"\\]*"\]|\.\d+)?\.[A-Za-z_]\w*'
)  # ".0." is the legacy spelling of "[0]"


def mentions_lookups(text: str) -> bool:
    return _LOOKUP.search(text) is not None


def rewrite(text: str) -> str:
    """``text`` (HCL) with each lookup reference in an expression replaced by a string of its own text."""
    return _Rewriter(text).run()


class _Rewriter(HclScanner):
    """Only expressions are rewritten, never string literals, heredoc text or comments."""

    special = _LOOKUP

    def render(self, kind: str, piece: str, top: bool) -> str:
        return '"$${' + piece.replace('"', '\\"') + '}"' if kind == "special" else piece


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

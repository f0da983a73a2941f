"""Which Terraform roots a directory's resources are created from.

Terraform's unit is the directory, and a module directory means nothing
without its callers: a module's resources exist once per call, with that
call's inputs. So a directory called as a local module (``source =
"../modules/x"``) is judged through the roots that call it, found anywhere in
the enclosing git repository (or only the directory itself outside one); a
directory that nobody calls is a root.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict

_MODULE_SOURCE = re.compile(r'module\s+"[^"]*"\s*\{[^{}]*?\bsource\s*=\s*"(\.{1,2}/[^"]*)"', re.S)
_SKIP_DIRS = {".terraform", ".external_modules", ".git", "node_modules", "__pycache__"}


def enclosing_repository(path: str) -> str | None:
    current = os.path.abspath(path)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def local_module_calls(top: str) -> dict[str, set[str]]:
    """called directory -> the directories whose .tf files call it with a local ``source``."""
    callers: dict[str, set[str]] = defaultdict(set)
    for directory, subdirs, files in os.walk(top):
        subdirs[:] = [d for d in subdirs if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if not name.endswith(".tf"):
                continue
            try:
                with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            for source in _MODULE_SOURCE.findall(text):
                called = os.path.normpath(os.path.join(directory, source))
                if called != directory:
                    callers[called].add(directory)
    return callers


class RootFinder:
    """Roots for directories, with one walk of each repository per scan."""

    def __init__(self) -> None:
        self._calls: dict[str, dict[str, set[str]]] = {}

    def roots_of(self, directory: str) -> set[str]:
        directory = os.path.abspath(directory)
        top = enclosing_repository(directory) or directory
        if top not in self._calls:
            self._calls[top] = local_module_calls(top)
        calls = self._calls[top]
        roots: set[str] = set()
        seen: set[str] = set()
        stack = [directory]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            callers = calls.get(current, set())
            if callers:
                stack.extend(callers)
            else:
                roots.add(current)
        return roots or {directory}  # modules that only call each other: judge the directory alone

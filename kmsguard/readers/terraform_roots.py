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

from kmsguard.model.values import TERRAFORM_FILES

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


def terraform_dirs(paths: list[str]) -> set[str]:
    """Directories under ``paths`` (folders or files) that hold Terraform files."""
    found = set()
    stack = []
    for path in paths:
        if os.path.isfile(path):
            if path.endswith(TERRAFORM_FILES):
                found.add(os.path.dirname(path))
        else:
            stack.append(path)
    while stack:
        directory = stack.pop()
        subdirs, tf_files = _listing(directory)
        stack += [os.path.join(directory, d) for d in subdirs]
        if tf_files:
            found.add(directory)
    return found


def local_module_calls(top: str) -> dict[str, set[str]]:
    """called directory -> the directories whose .tf files call it with a local ``source``."""
    callers: dict[str, set[str]] = defaultdict(set)
    stack = [top]
    while stack:
        directory = stack.pop()
        subdirs, tf_files = _listing(directory)
        stack += [os.path.join(directory, d) for d in subdirs]
        for name in tf_files:
            for source in _module_sources(os.path.join(directory, name)) if name.endswith(".tf") else ():
                called = os.path.normpath(os.path.join(directory, source))
                if called != directory:
                    callers[called].add(directory)
    return callers


# Every scan walks the whole repository. A process that scans many times (a test
# suite, an editor server) re-reads only what changed since: a directory's mtime
# changes when entries come or go, a file's mtime and size when it is written.
_listings: dict[str, tuple[int, list[str], list[str]]] = {}  # directory -> (mtime, subdirectories, Terraform files)
_sources: dict[str, tuple[int, int, list[str]]] = {}  # .tf file -> (mtime, size, local module sources)


def _listing(directory: str) -> tuple[list[str], list[str]]:
    try:
        mtime = os.stat(directory).st_mtime_ns
        cached = _listings.get(directory)
        if cached and cached[0] == mtime:
            return cached[1], cached[2]
        with os.scandir(directory) as entries:
            listed = list(entries)
    except OSError:
        return [], []
    subdirs = [e.name for e in listed if e.is_dir(follow_symlinks=False)
               and e.name not in _SKIP_DIRS and not e.name.startswith(".")]
    tf_files = [e.name for e in listed if e.name.endswith(TERRAFORM_FILES) and not e.is_dir()]
    _listings[directory] = (mtime, subdirs, tf_files)
    return subdirs, tf_files


def _module_sources(path: str) -> list[str]:
    try:
        status = os.stat(path)
        cached = _sources.get(path)
        if cached and cached[:2] == (status.st_mtime_ns, status.st_size):
            return cached[2]
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return []
    found = _MODULE_SOURCE.findall(text) if "module" in text else []
    _sources[path] = (status.st_mtime_ns, status.st_size, found)
    return found


class RootFinder:
    """Roots for directories, with one walk of each repository per scan.

    Callers are searched in ``top`` when given (the pre-commit hook: the
    working directory), else in the directory's git repository.
    """

    def __init__(self, top: str | None = None) -> None:
        self.top = os.path.abspath(top) if top else None
        self._calls: dict[str, dict[str, set[str]]] = {}

    def roots_of(self, directory: str) -> set[str]:
        directory = os.path.abspath(directory)
        top = self.top or enclosing_repository(directory) or directory
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

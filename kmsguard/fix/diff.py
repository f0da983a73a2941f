"""The fix as a unified diff that ``git apply`` accepts from the repository root, and writing it in place.

Paths are relative to the enclosing git work tree, or to the working
directory outside git, with git's ``a/`` and ``b/`` prefixes. Lines keep
their own endings (a CRLF file stays CRLF), and a last line without a newline
is marked as git marks it.
"""
from __future__ import annotations

import difflib
import os
import stat
import tempfile

from kmsguard.readers.terraform_roots import enclosing_repository

NO_NEWLINE = "\\ No newline at end of file\n"


class WriteError(Exception):
    """A file that cannot be written as planned; the message names it."""


def repository_root(cwd: str = ".") -> str:
    return enclosing_repository(cwd) or os.path.abspath(cwd)


def relative(path: str, root: str) -> str:
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def unified(changes: dict[str, tuple[str, str]], root: str) -> str:
    """One unified diff for every changed file, in path order."""
    parts = []
    for path in sorted(changes, key=lambda p: relative(p, root)):
        old, new = changes[path]
        if old == new:
            continue
        name = relative(path, root)
        lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}", n=3)
        text = "".join(line if line.endswith("\n") else line + "\n" + NO_NEWLINE for line in lines)
        parts.append(f"diff --git a/{name} b/{name}\n" + text)
    return "".join(parts)


def write(changes: dict[str, tuple[str, str]]) -> list[str]:
    """Write every new text in place, after checking that no file changed since it was read and each is writable.

    All files are checked before any is written, so a refused write changes nothing.
    """
    for path, (old, _) in changes.items():
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                current = handle.read()
        except OSError as error:
            raise WriteError(f"{path}: cannot read it again ({error.strerror})") from error
        if current != old:
            raise WriteError(f"{path} changed on disk since the scan: run kmsguard fix again")
        if not os.access(path, os.W_OK) or not os.access(os.path.dirname(os.path.realpath(path)), os.W_OK):
            raise WriteError(f"{path} is read-only")
    written = []
    for path, (_, new) in sorted(changes.items()):
        real = os.path.realpath(path)  # a symlink inside the tree: write its target, keep the link
        mode = stat.S_IMODE(os.stat(real).st_mode)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(real), prefix=".kmsguard-fix-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
                out.write(new)
            os.chmod(temporary, mode)
            os.replace(temporary, real)
        except OSError as error:
            os.unlink(temporary)
            raise WriteError(f"{path}: {error.strerror}") from error
        written.append(path)
    return written

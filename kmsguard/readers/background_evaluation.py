"""Evaluate a scan's Terraform roots in a second process while Checkov parses.

Checkov's Terraform scan runs in Python on one core. A thread evaluating the
roots beside it would compete for the GIL (the evaluator's output is decoded
and converted in Python), so the roots are evaluated by a child interpreter
(``python -m kmsguard.readers.background_evaluation``) on the other core: the same
``terraform.load`` with the same arguments, only earlier and elsewhere. Each
root comes back pickled as soon as it is done. Whatever the child does not
deliver, the scan evaluates in-process, so a failure here costs time, never a
verdict. The child is a fresh interpreter, not a fork: Checkov's process may
hold threads, and the evaluator's Go runtime must not be inherited.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from dataclasses import replace
from typing import IO, Union

import kmsguard
from kmsguard.model.resources import Block
from kmsguard.readers import terraform
from kmsguard.readers.terraform_roots import RootFinder, terraform_dirs

logger = logging.getLogger("kmsguard")
_FRAME = struct.Struct("!Q")  # length of the pickle that follows
Result = Union[terraform.Root, terraform.EvaluationError]


class Evaluation:
    """The roots under ``paths``, evaluated by a child process; ``get`` waits for one."""

    def __init__(self, paths: list[str], var_files: list[str]) -> None:
        self.roots: set[str] | None = None  # known once the child has discovered them
        self.frames: dict[str, bytes] = {}  # root -> its pickled result, unpickled on demand
        self.finished = False
        self.changed = threading.Condition()
        library = os.path.dirname(os.path.dirname(os.path.abspath(kmsguard.__file__)))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [library, os.environ.get("PYTHONPATH")])),
                   GOMAXPROCS="1")  # one core for the evaluator's Go runtime: Checkov needs the other
        self.child = subprocess.Popen(
            [sys.executable, "-m", __name__, json.dumps({"paths": paths, "var_files": var_files})],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        atexit.register(self._stop)
        threading.Thread(target=self._receive, name="kmsguard-background", daemon=True).start()

    def _receive(self) -> None:
        stream = self.child.stdout
        assert stream is not None
        try:
            frame = _read_frame(stream)  # first the roots, then one frame per root
            if frame is not None:
                with self.changed:
                    self.roots = set(pickle.loads(frame))
                    self.changed.notify_all()
            while frame is not None and (frame := _read_frame(stream)) is not None:
                root, payload = pickle.loads(frame)
                with self.changed:
                    self.frames[root] = payload
                    self.changed.notify_all()
        except Exception:  # the scan evaluates for itself what is missing here
            logger.debug("kmsguard background evaluation stopped", exc_info=True)
        finally:
            self.child.wait()
            with self.changed:
                self.finished = True
                self.changed.notify_all()

    def get(self, root: str) -> Result | None:
        """The child's result for ``root``, or None when it will not deliver one."""
        with self.changed:
            self.changed.wait_for(lambda: self.finished or root in self.frames
                                  or (self.roots is not None and root not in self.roots))
            payload = self.frames.pop(root, None)
        if payload is None:
            return None
        try:
            return _thaw(pickle.loads(payload))
        except Exception:
            logger.debug("kmsguard could not read the background result for %s", root, exc_info=True)
            return None

    def _stop(self) -> None:
        if self.child.poll() is None:
            self.child.kill()


# The model's blocks point at each other through ``out``; pickling that graph
# recursively can exceed Python's recursion limit, so edges travel as indexes.
def _freeze(result: Result) -> object:
    if isinstance(result, terraform.EvaluationError):
        return ("error", str(result))
    blocks = list(result.blocks)
    index = {id(b): i for i, b in enumerate(blocks)}
    for block in blocks:  # a target outside the root's list travels too
        for _, target in block.out:
            if id(target) not in index:
                index[id(target)] = len(blocks)
                blocks.append(target)
    edges = [[(label, index[id(t)]) for label, t in b.out] for b in blocks]
    return ("root", result.path, [replace(b, out=[]) for b in blocks], edges, len(result.blocks), result.dirs)


def _thaw(frozen: tuple) -> Result:
    if frozen[0] == "error":
        return terraform.EvaluationError(frozen[1])
    _, path, blocks, edges, count, dirs = frozen
    for block, out in zip(blocks, edges):
        block.out = [(label, blocks[i]) for label, i in out]
    listed: list[Block] = blocks[:count]
    return terraform.Root(path, listed, dirs)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_FRAME.size)
    if len(header) < _FRAME.size:
        return None
    return stream.read(_FRAME.unpack(header)[0])


def _write_frame(stream: IO[bytes], payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(data)) + data)
    stream.flush()


def main() -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # Checkov's own processes are the scan's critical path: they go first
    request = json.loads(sys.argv[1])
    out = sys.stdout.buffer
    finder = RootFinder()
    roots = sorted({root for d in terraform_dirs(request["paths"]) for root in finder.roots_of(d)})
    _write_frame(out, roots)
    for root in roots:
        try:
            result: Result = terraform.load(root, request["var_files"])
        except terraform.EvaluationError as error:
            result = error
        _write_frame(out, (root, pickle.dumps(_freeze(result), protocol=pickle.HIGHEST_PROTOCOL)))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the scan ended first
        pass

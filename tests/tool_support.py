"""Shared by the tests that drive the installed tools (kmsguard, checkov, pre-commit) end to end."""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACK_FILTER = ("CKV_KMSG_", "CKV2_KMSG_")
# Set to a directory to keep the installed-wheel virtualenv between sessions (a faster dev loop);
# the wheel is rebuilt and reinstalled every session either way.
REUSE_VENV = "KMSGUARD_TEST_VENV"

# A bucket whose default encryption is SSE-KMS with a customer-managed key, with a healthy key.
GOOD_TF = """\
resource "aws_kms_key" "data" {
  description             = "data bucket key"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_s3_bucket" "data" {
  bucket = "kmsguard-test-good"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}
"""

# The same bucket on SSE-S3 (AES256): CKV_KMSG_1 fails the configuration, CKV2_KMSG_1 the bucket.
BAD_TF = """\
resource "aws_s3_bucket" "data" {
  bucket = "kmsguard-test-bad"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
"""
BAD_FAILURES = {
    ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.data"),
    ("CKV2_KMSG_1", "aws_s3_bucket.data"),
}


def env(**extra: str) -> dict[str, str]:
    environ = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    environ.update(extra)
    return environ


def _pip(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args]
    done = subprocess.run(command, env=env(PIP_NO_INPUT="1"), capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"


def build_wheel(destination: Path) -> Path:
    """A wheel of the checkout's files (tracked and new), built from a copy so the checkout stays clean."""
    source = destination / "source"
    for relative in _checkout_files():
        target = source / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    _pip(Path(sys.executable), "wheel", "--no-deps", "-w", str(destination / "dist"), str(source))
    (wheel,) = (destination / "dist").glob("kmsguard-*.whl")
    return wheel


@functools.lru_cache(maxsize=None)
def installed_bin() -> Path:
    """bin/ of a fresh virtualenv with the wheel installed as users install it, once per session.

    Checkov is pinned to this interpreter's version, so a run on the lowest
    supported Checkov tests the wheel on that version too.
    """
    work = Path(tempfile.mkdtemp(prefix="kmsguard-wheel-"))
    atexit.register(shutil.rmtree, work, True)
    wheel = build_wheel(work)
    venv = Path(os.environ.get(REUSE_VENV) or work / "venv")
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    _pip(python, "install", "--force-reinstall", "--no-deps", str(wheel))
    _pip(python, "install", str(wheel), f"checkov=={metadata.version('checkov')}")
    return venv / "bin"


def tool(name: str) -> str:
    """A console script (kmsguard, checkov) of the virtualenv holding the installed wheel."""
    path = installed_bin() / name
    assert path.exists(), f"{name} is not installed in {path.parent}"
    return str(path)


def run(args: list[str], cwd: Path | str | None = None, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env(**extra_env), capture_output=True, text=True, timeout=900)


def write_tree(directory: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def json_reports(stdout: str) -> list[dict]:
    """Checkov's -o json prints one report object, or a list of them (one per framework)."""
    data = json.loads(stdout)
    return [r for r in (data if isinstance(data, list) else [data]) if isinstance(r, dict)]


def pack_records(stdout: str) -> list[dict]:
    """Every PASSED, FAILED and SKIPPED record of the pack's checks in a Checkov JSON report."""
    return [
        record
        for report in json_reports(stdout)
        for key in ("passed_checks", "failed_checks", "skipped_checks")
        for record in (report.get("results") or {}).get(key) or []
        if str(record.get("check_id", "")).startswith(PACK_FILTER)
    ]


def results(stdout: str, outcome: str) -> set[tuple[str, str]]:
    """(check_id, resource) of every pack result with outcome 'passed' or 'failed'."""
    return {(r["check_id"], r["resource"]) for r in pack_records(stdout)
            if r["check_result"]["result"] == outcome.upper()}


def all_check_ids(stdout: str) -> set[str]:
    ids = set()
    for report in json_reports(stdout):
        for outcome in ("passed_checks", "failed_checks", "skipped_checks"):
            ids |= {record["check_id"] for record in report.get("results", {}).get(outcome, [])}
    return ids


def _checkout_files() -> list[str]:
    """The checkout's files, tracked and new (not ignored), relative to REPO."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    return [relative for relative in listed if relative and (REPO / relative).is_file()]


def checkout_copy(destination: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) committed into a fresh git repo.

    pre-commit installs a hook repository from a commit, so uncommitted work
    must be committed somewhere; this does it without touching the checkout.
    """
    for relative in _checkout_files():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    git_commit_all(destination, "kmsguard checkout under test")
    return destination


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "kmsguard tests", "GIT_AUTHOR_EMAIL": "tests@kmsguard.invalid",
    "GIT_COMMITTER_NAME": "kmsguard tests", "GIT_COMMITTER_EMAIL": "tests@kmsguard.invalid",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env(**GIT_IDENTITY), check=True, capture_output=True)


def git_commit_all(repo: Path, message: str) -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)

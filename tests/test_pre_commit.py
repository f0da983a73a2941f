"""The pre-commit hook, installed by the real `pre-commit try-repo` from a commit of this checkout.

Installing the hook environment pulls Checkov from PyPI (minutes), so one
checkout commit and one PRE_COMMIT_HOME serve every test in the session.
"""
from __future__ import annotations

import sys

import pytest

from tool_support import BAD_TF, GIT_IDENTITY, GOOD_TF, checkout_copy, git, run, write_tree


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory):
    return checkout_copy(tmp_path_factory.mktemp("kmsguard-hook-repo"))


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path):
    repo = tmp_path / "infra-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


def try_repo(user_repo, hook_repo, pre_commit_home):
    return run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kmsguard", "--verbose"],
        cwd=user_repo, PRE_COMMIT_HOME=str(pre_commit_home), **GIT_IDENTITY,
    )


def test_hook_blocks_a_bad_commit_and_lets_a_good_one_through(user_repo, hook_repo, pre_commit_home):
    write_tree(user_repo, {"README.md": "infra\n", "envs/prod/main.tf": BAD_TF})
    git(user_repo, "add", "-A")
    bad = try_repo(user_repo, hook_repo, pre_commit_home)
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "CKV_KMSG_1" in output and "CKV2_KMSG_1" in output, output
    assert "Traceback" not in output, output

    write_tree(user_repo, {"envs/prod/main.tf": GOOD_TF})
    git(user_repo, "add", "-A")
    good = try_repo(user_repo, hook_repo, pre_commit_home)
    output = good.stdout + good.stderr
    assert good.returncode == 0, output
    assert "Failed checks: 0" in output and "Passed checks: 0" not in output, output


def test_hook_skips_a_commit_without_terraform(user_repo, hook_repo, pre_commit_home):
    write_tree(user_repo, {"README.md": "no terraform here\n"})
    git(user_repo, "add", "-A")
    result = try_repo(user_repo, hook_repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "(no files to check)Skipped" in output, output


def test_fix_hook_writes_the_fix_and_fails_until_it_is_reviewed(user_repo, hook_repo, pre_commit_home):
    # As formatters do: the hook changes the file, pre-commit fails the commit, the user reviews and adds it.
    key = 'resource "aws_kms_key" "data" {\n  enable_key_rotation = false\n}\n'
    write_tree(user_repo, {"envs/prod/keys.tf": key})
    git(user_repo, "add", "-A")
    hook = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kmsguard-fix", "--verbose"]
    first = run(hook, cwd=user_repo, PRE_COMMIT_HOME=str(pre_commit_home), **GIT_IDENTITY)
    output = first.stdout + first.stderr
    assert first.returncode != 0 and "files were modified by this hook" in output, output
    assert "Traceback" not in output, output
    assert (user_repo / "envs/prod/keys.tf").read_text() == key.replace("false", "true")
    git(user_repo, "add", "-A")
    second = run(hook, cwd=user_repo, PRE_COMMIT_HOME=str(pre_commit_home), **GIT_IDENTITY)
    assert second.returncode == 0, second.stdout + second.stderr

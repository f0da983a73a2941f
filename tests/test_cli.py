"""The `kmsguard` command, run as the installed console script."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

from tool_support import BAD_FAILURES, BAD_TF, GOOD_TF, all_check_ids, results, run, tool, write_tree

PACK_ID = re.compile(r"^CKV2?_KMSG_\d+$")


def kmsguard(*args: str, cwd=None, **env: str):
    return run([tool("kmsguard"), *args], cwd=cwd, **env)


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("bad"), {"main.tf": BAD_TF})


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("good"), {"main.tf": GOOD_TF})


def assert_one_line_error(result, *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""  # stopped before Checkov started
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kmsguard"), result.stderr
    assert all(word in lines[0] for word in words), lines[0]


def test_version_names_both_versions():
    result = kmsguard("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kmsguard {metadata.version('kmsguard')} (checkov {metadata.version('checkov')})"


def test_pack_dirs_are_the_installed_check_and_policy_dirs():
    result = kmsguard("--pack-dirs")
    assert result.returncode == 0
    checks, policies = (Path(line) for line in result.stdout.splitlines())
    assert (checks / "S3EncryptionUsesCustomerManagedKey.py").is_file() and (checks / "__init__.py").is_file()
    assert (policies / "__init__.py").is_file()


def test_default_runs_only_the_pack_and_keeps_checkov_exit_code(bad):
    result = kmsguard("-d", str(bad), "-o", "json")
    assert result.returncode == 1, result.stderr[-3000:]
    assert results(result.stdout, "failed") == BAD_FAILURES
    assert all(PACK_ID.match(check_id) for check_id in all_check_ids(result.stdout))


def test_good_tree_exits_zero(good):
    result = kmsguard("-d", str(good), "-o", "json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert results(result.stdout, "failed") == set()
    assert {check for check, _ in results(result.stdout, "passed")} >= {"CKV_KMSG_1", "CKV2_KMSG_1"}


def test_all_checks_adds_checkov_builtins(bad):
    result = kmsguard("--all-checks", "-d", str(bad), "-o", "json")
    assert result.returncode == 1
    ids = all_check_ids(result.stdout)
    assert any(check.startswith("CKV_AWS_") for check in ids), ids
    assert results(result.stdout, "failed") == BAD_FAILURES


def test_users_check_replaces_the_pack_filter(bad):
    result = kmsguard("-d", str(bad), "--check", "CKV2_KMSG_1", "-o", "json")
    assert result.returncode == 1
    assert all_check_ids(result.stdout) == {"CKV2_KMSG_1"}


def test_skip_check_soft_fail_and_file_pass_through(bad):
    skipped = kmsguard("-f", str(bad / "main.tf"), "--skip-check", "CKV_KMSG_1", "-o", "json")
    assert skipped.returncode == 1
    assert "CKV_KMSG_1" not in all_check_ids(skipped.stdout) and "CKV2_KMSG_1" in all_check_ids(skipped.stdout)
    soft = kmsguard("-d", str(bad), "--soft-fail", "-o", "json")
    assert soft.returncode == 0
    assert results(soft.stdout, "failed") == BAD_FAILURES


def test_config_file_passes_through(bad, tmp_path):
    config = tmp_path / "kmsguard.yaml"
    config.write_text("skip-check:\n  - CKV2_KMSG_1\n")
    result = kmsguard("-d", str(bad), "--config-file", str(config), "-o", "json")
    assert result.returncode == 1
    assert results(result.stdout, "failed") == {f for f in BAD_FAILURES if f[0] != "CKV2_KMSG_1"}


@pytest.mark.parametrize(
    "args, words",
    [
        (["-d", "/nonexistent/infra"], ["directory not found", "/nonexistent/infra"]),
        (["-f", "/nonexistent/main.tf"], ["file not found", "/nonexistent/main.tf"]),
        (["-d", ".", "--config-file", "/nonexistent/.checkov.yaml"], ["config file not found"]),
        (["-d", ".", "--no-such-option"], ["unrecognized arguments", "--no-such-option"]),
        (["sign", "--key"], ["--key"]),
    ],
)
def test_bad_command_lines_fail_on_one_line(args, words, tmp_path):
    assert_one_line_error(kmsguard(*args, cwd=tmp_path), *words)


def test_bad_setting_stops_before_scanning(bad):
    result = kmsguard("-d", str(bad), KMSGUARD_MAX_ROTATION_PERIOD_DAYS="45")
    assert_one_line_error(result, "KMSGUARD_MAX_ROTATION_PERIOD_DAYS")


def test_pre_commit_mode_scans_the_roots_calling_a_changed_module(tmp_path):
    # The module alone has an unresolved key input (never PASSED); its caller supplies a CMK.
    module = GOOD_TF.replace("aws_kms_key.data.arn", "var.kms_key_arn").split('resource "aws_s3_bucket"', 1)[1]
    repo = write_tree(tmp_path, {
        "modules/bucket/main.tf": 'variable "kms_key_arn" {}\n\nresource "aws_s3_bucket"' + module,
        "live/main.tf": (
            'resource "aws_kms_key" "data" {\n  enable_key_rotation = true\n}\n\n'
            'module "bucket" {\n  source      = "../modules/bucket"\n  kms_key_arn = aws_kms_key.data.arn\n}\n'
        ),
    })
    alone = kmsguard("-d", "modules/bucket", "-o", "json", cwd=repo)
    assert alone.returncode == 1, "control: the module on its own must fail"
    hook = kmsguard("pre-commit", "-o", "json", "modules/bucket/main.tf", cwd=repo)
    assert hook.returncode == 0, hook.stdout[-3000:] + hook.stderr[-3000:]
    passed = results(hook.stdout, "passed")
    assert ("CKV2_KMSG_1", "module.bucket.aws_s3_bucket.data") in passed, passed


def test_pre_commit_mode_with_no_terraform_files_does_nothing(tmp_path):
    result = kmsguard("pre-commit", "--compact", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


def test_checking_the_pack_loads_no_evaluator_runtime(tmp_path):
    # tfparse starts Go's runtime, which deadlocks in the workers Checkov forks from a parent that loaded it:
    # the command checks the pack in its own process, so that check must leave tfparse unimported.
    probe = ("import sys; from kmsguard.cli import command; command.verify_pack(); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tfparse'))")
    result = run([tool("python"), "-c", probe], cwd=tmp_path)  # not the checkout: the installed wheel
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]"


def test_a_pack_that_cannot_load_stops_the_scan(tmp_path, monkeypatch, capsys):
    # Checkov would only log the broken check and scan on without it: a clean-looking scan.
    from kmsguard.cli import command

    broken = tmp_path / "custom_checks"
    broken.mkdir()
    (broken / "Broken.py").write_text("check = (\n")
    monkeypatch.setattr(command, "pack_dirs", lambda: [str(broken), str(tmp_path)])
    assert command.main(["-d", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "kmsguard pack cannot load" in error and "Broken.py" in error

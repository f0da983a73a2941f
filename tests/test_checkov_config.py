"""`kmsguard --checkov-config` makes plain `checkov`, run as editor plugins run it, load the pack.

The files it writes name no virtualenv path, so they can be committed and
work on every machine whose Checkov can import kmsguard; where it cannot,
CKV_KMSG_0 fails loudly instead of a clean-looking scan without the pack.
"""
from __future__ import annotations

import shutil

from tool_support import BAD_FAILURES, BAD_TF, GOOD_TF, REPO, all_check_ids, results, run, tool, write_tree

EXAMPLE = REPO / "docs" / "ci" / ".checkov.yaml"
NOT_LOADED = "CKV_KMSG_0"


def setup_workspace(root, **env):
    result = run([tool("kmsguard"), "--checkov-config"], cwd=root, **env)
    assert result.returncode == 0, result.stderr
    return result


def vscode_scan(root, path, *extra, **env):
    """The VS Code Checkov extension's command line, from the workspace root (minus the API key; -s is soft fail)."""
    return run([tool("checkov"), "-s", "--repo-id", "local/workspace", "-f", path, "--skip-check", "BC_LIC*",
                "-o", "json", "--config-file", str(root / ".checkov.yaml"), *extra], cwd=root, **env)


def test_written_files_name_no_machine_path(tmp_path):
    setup_workspace(tmp_path)
    config = (tmp_path / ".checkov.yaml").read_text()
    assert config == EXAMPLE.read_text()  # the committed example is exactly what the command writes
    written = config + (tmp_path / ".checkov" / "kmsguard" / "kmsguard_loader.py").read_text()
    assert "site-packages" not in written and str(tmp_path) not in written and "python3." not in written


def test_plain_checkov_picks_the_pack_up_from_the_workspace(tmp_path):
    repo = write_tree(tmp_path, {"infra/main.tf": BAD_TF})
    setup_workspace(repo)
    # No pack flags: what a teammate's bare `checkov` does.
    result = run([tool("checkov"), "-d", ".", "--framework", "terraform", "-o", "json"], cwd=repo)
    assert result.returncode == 1, result.stderr[-3000:]
    assert results(result.stdout, "failed") == BAD_FAILURES
    assert any(check.startswith("CKV_AWS_") for check in all_check_ids(result.stdout))  # built-ins still run


def test_vscode_command_line_runs_the_pack_on_a_saved_file(tmp_path):
    repo = write_tree(tmp_path, {"infra/main.tf": BAD_TF})
    setup_workspace(repo)
    result = vscode_scan(repo, "infra/main.tf")
    assert result.returncode == 0, result.stderr[-3000:]  # -s: the plugin's soft fail
    assert results(result.stdout, "failed") == BAD_FAILURES


def test_a_moved_workspace_still_works(tmp_path):
    first = write_tree(tmp_path / "one", {"main.tf": GOOD_TF})
    setup_workspace(first)
    moved = shutil.copytree(first, tmp_path / "elsewhere" / "two")
    result = vscode_scan(moved, "main.tf")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert {check for check, _ in results(result.stdout, "passed")} >= {"CKV_KMSG_1", "CKV2_KMSG_1"}


def test_settings_travel_with_the_workspace(tmp_path):
    # The Prisma Cloud extension passes Checkov only PATH: the loader carries the settings.
    key = 'resource "aws_kms_key" "k" {\n  enable_key_rotation     = true\n  deletion_window_in_days = 10\n}\n'
    repo = write_tree(tmp_path, {"main.tf": key})
    setup_workspace(repo, KMSGUARD_MIN_DELETION_WINDOW_DAYS="14")
    result = vscode_scan(repo, "main.tf")
    assert ("CKV_KMSG_3", "aws_kms_key.k") in results(result.stdout, "failed"), result.stdout[-2000:]
    overridden = vscode_scan(repo, "main.tf", KMSGUARD_MIN_DELETION_WINDOW_DAYS="7")  # the environment wins
    assert ("CKV_KMSG_3", "aws_kms_key.k") in results(overridden.stdout, "passed")


def test_a_checkov_without_kmsguard_fails_loudly(tmp_path):
    repo = write_tree(tmp_path, {"main.tf": GOOD_TF, "poison/kmsguard/__init__.py": "raise ImportError('no kmsguard here')\n"})
    setup_workspace(repo)
    # A kmsguard that cannot import stands for a Checkov (or Docker image) without the pack.
    result = vscode_scan(repo, "main.tf", PYTHONPATH=str(repo / "poison"))
    failed = results(result.stdout, "failed")
    assert (NOT_LOADED, "aws_s3_bucket.data") in failed and (NOT_LOADED, "aws_kms_key.data") in failed, failed
    assert not any(check.startswith(("CKV_KMSG_1", "CKV2_KMSG")) for check in all_check_ids(result.stdout))
    healthy = vscode_scan(repo, "main.tf")
    assert NOT_LOADED not in all_check_ids(healthy.stdout)


def test_an_existing_config_is_never_overwritten(tmp_path):
    (tmp_path / ".checkov.yaml").write_text("framework:\n  - terraform\n")
    result = run([tool("kmsguard"), "--checkov-config"], cwd=tmp_path)
    assert result.returncode == 2 and ".checkov/kmsguard" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / ".checkov.yaml").read_text() == "framework:\n  - terraform\n"


def test_a_home_config_serves_plugins_that_read_only_the_home_directory(tmp_path):
    # JetBrains plugins pass no config file and no external checks: only ~/.checkov.yaml is read.
    home = tmp_path / "home"
    home.mkdir()
    setup_workspace(home, HOME=str(home))
    assert "~/.checkov/kmsguard" in (home / ".checkov.yaml").read_text()
    repo = write_tree(tmp_path / "repo", {"infra/main.tf": BAD_TF})
    result = run([tool("checkov"), "-s", "-f", "infra/main.tf", "-o", "json"], cwd=repo, HOME=str(home))
    assert result.returncode == 0, result.stderr[-3000:]  # -s: the plugin's soft fail
    assert results(result.stdout, "failed") == BAD_FAILURES

"""A .checkov.yaml naming the pack's directories makes plain `checkov` run the pack."""
from __future__ import annotations

from tool_support import BAD_FAILURES, BAD_TF, REPO, all_check_ids, results, run, tool, write_tree

EXAMPLE = REPO / "docs" / "ci" / ".checkov.yaml"


def generated_config() -> str:
    result = run([tool("kmsguard"), "--checkov-config"])
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_example_config_is_what_the_command_writes_apart_from_the_paths():
    directory_line = lambda line: line.startswith("  - ")  # noqa: E731
    example = [line for line in EXAMPLE.read_text().splitlines() if not directory_line(line)]
    generated = [line for line in generated_config().splitlines() if not directory_line(line)]
    assert example == generated
    for line in EXAMPLE.read_text().splitlines():
        if directory_line(line):
            assert line.endswith(("/kmsguard/custom_checks", "/kmsguard/policies")), line


def test_plain_checkov_picks_the_pack_up_from_the_config(tmp_path):
    repo = write_tree(tmp_path, {".checkov.yaml": generated_config(), "infra/main.tf": BAD_TF})
    # No pack flags: what an editor plugin or a teammate's bare `checkov` does.
    result = run([tool("checkov"), "-d", ".", "--framework", "terraform", "-o", "json"], cwd=repo)
    assert result.returncode == 1, result.stderr[-3000:]
    assert results(result.stdout, "failed") == BAD_FAILURES
    assert any(check.startswith("CKV_AWS_") for check in all_check_ids(result.stdout))  # built-ins still run

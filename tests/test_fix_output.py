"""The fix's output checked by the tools that consume it: ``git apply --check`` and ``terraform fmt -check``."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kmsguard.fix import diff, plan, scan

CASES = Path(__file__).resolve().parent / "fix_cases"


def _fixed_copy(tmp_path: Path) -> tuple[Path, plan.Plan]:
    tree = tmp_path / "repo"
    for case in sorted(p for p in CASES.iterdir() if (p / "before").is_dir()):
        shutil.copytree(case / "before", tree / case.name)
    return tree, plan.make_plan(scan.run([str(tree)], []), str(tree))


@pytest.mark.e2e
def test_git_apply_accepts_the_diff_from_the_repository_root(tmp_path: Path):
    tree, result = _fixed_copy(tmp_path)
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    patch = diff.unified(result.changes, diff.repository_root(str(tree)))
    assert patch
    checked = subprocess.run(["git", "apply", "--check", "-"], cwd=tree, input=patch, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run(["git", "apply", "-"], cwd=tree, input=patch, text=True, check=True)
    assert {p: (tree / p).read_text() for p in result.changes} == {p: new for p, (_, new) in result.changes.items()}


@pytest.mark.terraform
def test_fixed_trees_are_terraform_fmt_clean(tmp_path: Path):
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed")
    tree, result = _fixed_copy(tmp_path)
    diff.write(result.changes)
    checked = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff"], cwd=tree, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_the_readme_shows_the_seeds_diff_as_the_command_prints_it(tmp_path: Path, capsys, monkeypatch):
    """README's diff for the seed's bucket module call and roles is what `kmsguard fix -d .` prints for them."""
    from kmsguard.cli import fix_command

    root = Path(__file__).resolve().parents[1]
    shown = (root / "README.md").read_text(encoding="utf-8").split("```diff\n", 1)[1].split("```", 1)[0]
    shutil.copytree(root / "examples" / "bad", tmp_path / "seed", ignore=shutil.ignore_patterns("expected*"))
    monkeypatch.chdir(tmp_path / "seed")
    assert fix_command.run(["-d", "."]) == 1
    printed = capsys.readouterr().out.split("diff --git ")
    wanted = [f"diff --git {part}" for part in printed[1:]
              if part.startswith(("a/infra/envs/dev/iam.tf ", "a/infra/envs/dev/main.tf "))]
    assert "".join(wanted) == shown

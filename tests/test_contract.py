"""The pack's contract, in the spirit of KICS's query-content test.

For every check Checkov registers from custom_checks/ (read from Checkov's
registries, one entry per framework), the metadata written by hand elsewhere
must agree with the registration: docs/checks/<ID>.md (name, severity,
category, resource types, settings, source files), the README check table, the
guideline URL, and tests/cases/<ID>/ with a PASSED and a FAILED case. The
checks are plain functions returning problems, so the tests below can also
feed them drifted copies and see each drift caught.
"""
from __future__ import annotations

import functools
import re
import shutil
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from checkov.common.checks.base_check import BaseCheck

from checkov_run import REPO, Registration, pack_checks, registered_check, registrations

DOCS_URL = "https://github.com/kmsguard/kmsguard/blob/main/docs/checks/{id}.md"
_PAREN = re.compile(r"\([^)]*\)")
_CODE = re.compile(r"`([^`]+)`")


def _types(cell: str) -> set[str]:
    """Resource types named in a table cell; parenthesised remarks are not types."""
    return set(_CODE.findall(_PAREN.sub("", cell)))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def page_header(text: str) -> tuple[str, dict[str, str]]:
    """The page's title and its header table (first table), as {row name: value}."""
    lines = text.splitlines()
    title = lines[0] if lines else ""
    rows: dict[str, str] = {}
    for line in lines[1:]:
        if line.startswith("|"):
            cells = _cells(line)
            if len(cells) >= 2 and cells[0] and not set(cells[0]) <= set("-:"):
                rows[cells[0]] = cells[1]
        elif rows:
            break
    return title, rows


def _severity(check: BaseCheck) -> str | None:
    return check.severity.name if check.severity else None


def _types_row(framework: str) -> str:
    return "Resource types" if framework == "terraform" else f"Resource types ({framework})"


def page_problems(registration: Registration, root: Path) -> list[str]:
    check = registration.check
    page = root / "docs" / "checks" / f"{check.id}.md"
    if not page.is_file():
        return [f"{check.id}: no page {page.relative_to(root)}"]
    title, rows = page_header(page.read_text(encoding="utf-8"))
    problems = []
    expected_title = f"# {check.id}: {check.name.removeprefix('Ensure ')}"
    if title != expected_title:
        problems.append(f"{check.id}: page title {title!r}, the check's name gives {expected_title!r}")
    if rows.get("Severity") != _severity(check):
        problems.append(f"{check.id}: page severity {rows.get('Severity')!r}, registered {_severity(check)}")
    categories = ", ".join(c.name for c in check.categories)
    if rows.get("Category") != categories:
        problems.append(f"{check.id}: page category {rows.get('Category')!r}, registered {categories}")
    row = _types_row(registration.framework)
    if _types(rows.get(row, "")) != set(check.supported_entities):
        problems.append(f"{check.id}: page {row!r} {sorted(_types(rows.get(row, '')))}, "
                        f"registered {sorted(check.supported_entities)}")
    settings = {setting.variable for setting in getattr(check, "SETTINGS", ())}
    if set(_CODE.findall(rows.get("Settings", ""))) != settings:
        problems.append(f"{check.id}: page Settings {rows.get('Settings')!r}, the check reads {sorted(settings) or 'none'}")
    for source in _CODE.findall(rows.get("Source", "")):
        if not (root / source).exists():
            problems.append(f"{check.id}: page Source names {source}, which does not exist")
    return problems


def readme_problems(checks: list[Registration], root: Path) -> list[str]:
    """One README check-table row per ID: severity, resource types of every framework, docs link."""
    rows = {}
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        cells = _cells(line) if line.startswith("|") else []
        if len(cells) == 5:
            rows[cells[0]] = cells
    problems = []
    for check_id in sorted({r.check.id for r in checks}):
        mine = [r for r in checks if r.check.id == check_id]
        if check_id not in rows:
            problems.append(f"{check_id}: no row in the README check table")
            continue
        _, types, _, severity, docs = rows[check_id]
        registered = set().union(*(r.check.supported_entities for r in mine))
        if _types(types) != registered:
            problems.append(f"{check_id}: README resource types {sorted(_types(types))}, registered {sorted(registered)}")
        if severity != _severity(mine[0].check):
            problems.append(f"{check_id}: README severity {severity}, registered {_severity(mine[0].check)}")
        if f"(docs/checks/{check_id}.md)" not in docs:
            problems.append(f"{check_id}: README docs link {docs!r} is not docs/checks/{check_id}.md")
    return problems


def guideline_problems(registration: Registration, root: Path) -> list[str]:
    check = registration.check
    expected = DOCS_URL.format(id=check.id)
    if check.guideline != expected:
        return [f"{check.id}: guideline {check.guideline!r}, expected {expected!r}"]
    return []


_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the contract reads every case


def case_problems(check_id: str, root: Path) -> list[str]:
    """tests/cases/<ID>/ holds at least one case expecting PASSED and one expecting FAILED for the ID."""
    outcomes = set()
    for expected in sorted((root / "tests" / "cases" / check_id).glob("*/expected.yaml")):
        results = (yaml.load(expected.read_text(encoding="utf-8"), Loader=_YAML) or {}).get("results") or {}
        outcomes |= set((results.get(check_id) or {}).values())
    return [f"{check_id}: no case in tests/cases/{check_id}/ expects {outcome}"
            for outcome in ("PASSED", "FAILED") if outcome not in outcomes]


def contract_problems(checks: list[Registration], root: Path) -> list[str]:
    problems = readme_problems(checks, root)
    for registration in checks:
        problems += page_problems(registration, root) + guideline_problems(registration, root)
    for check_id in sorted({r.check.id for r in checks}):
        problems += case_problems(check_id, root)
    return problems


# --- the pack as it is ---------------------------------------------------------------------

REGISTRATIONS = list(registrations())


def test_every_check_of_custom_checks_is_registered() -> None:
    # Checkov silently drops a check whose ID a built-in already registered for the same type.
    registered = {id(r.check) for r in REGISTRATIONS}
    defined = pack_checks()
    assert defined, "no check found in custom_checks/"
    assert all(id(check) in registered for check in defined), [c.id for c in defined if id(c) not in registered]


@pytest.mark.parametrize("registration", REGISTRATIONS, ids=lambda r: f"{r.framework}-{r.check.id}")
def test_registration_matches_its_page_guideline_and_cases(registration: Registration) -> None:
    problems = (page_problems(registration, REPO) + guideline_problems(registration, REPO)
                + case_problems(registration.check.id, REPO))
    assert not problems, "\n".join(problems)


def test_readme_check_table_matches_the_registrations() -> None:
    problems = readme_problems(REGISTRATIONS, REPO)
    assert not problems, "\n".join(problems)
    table_ids = set(re.findall(r"^\| (CKV2?_KMSG_\d+) \|", (REPO / "README.md").read_text(), re.MULTILINE))
    assert table_ids == {r.check.id for r in REGISTRATIONS}, "README lists checks that are not registered"


def test_no_page_without_a_registered_check() -> None:
    pages = {p.stem for p in (REPO / "docs" / "checks").glob("*.md")}
    assert pages == {r.check.id for r in REGISTRATIONS}


def test_case_folders_are_registered_ids() -> None:
    folders = {p.name for p in (REPO / "tests" / "cases").iterdir() if p.is_dir()}
    assert folders <= {r.check.id for r in REGISTRATIONS}, folders - {r.check.id for r in REGISTRATIONS}


def test_readme_layout_names_every_top_level_entry() -> None:
    layout = (REPO / "README.md").read_text().split("## Where things live", 1)[1].split("```")[1]
    listed = {line.split()[0].rstrip("/").split("/")[0] for line in layout.splitlines() if line.strip()}
    ignored = [line.strip().rstrip("/") for line in (REPO / ".gitignore").read_text().splitlines() if line.strip()]
    top = {p.name for p in REPO.iterdir() if (p.is_dir() or p.name.startswith("."))
           and not any(fnmatch(p.name, pattern) for pattern in ignored)}
    missing = top - listed - {".git", ".gitignore"}
    assert not missing, f"README layout does not mention {sorted(missing)}"


def _design_sections() -> set[str]:
    return {line.lstrip("#").strip() for line in (REPO / "docs" / "design.md").read_text().splitlines()
            if line.startswith("#")}


@pytest.mark.parametrize("doc", ["policies/README.md", "README.md", *sorted(
    str(p.relative_to(REPO)) for p in (REPO / "docs" / "checks").glob("*.md"))])
def test_design_sections_named_in_docs_exist(doc: str) -> None:
    named = re.findall(r'docs/design\.md`?\s*\("([^"]+)"\)', (REPO / doc).read_text())
    assert set(named) <= _design_sections(), f"{doc} names design sections {sorted(set(named) - _design_sections())}"


# --- the contract catches drift ------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The files the contract reads, copied so a test can drift them."""
    for part in ("README.md", "docs/checks", "tests/cases", "custom_checks", "kmsguard"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=_unread)
        else:
            shutil.copy(source, tmp_path / part)
    return tmp_path


def _unread(directory: str, names: list[str]) -> set[str]:
    """What the contract does not read: Terraform, templates and anything else in a case but its expected.yaml."""
    in_case = Path(directory).parent.parent.name == "cases"
    return {n for n in names if n == "__pycache__" or n.endswith(".tf")
            or (in_case and n != "expected.yaml" and not Path(directory, n).is_dir())}


@functools.lru_cache(maxsize=None)
def _baseline() -> frozenset[str]:
    return frozenset(contract_problems(REGISTRATIONS, REPO))


def _drifted(copy: Path) -> list[str]:
    """Problems of the drifted copy that the repository itself does not have."""
    return [p for p in contract_problems(REGISTRATIONS, copy) if p not in _baseline()]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _registered(check_id: str) -> Registration:
    return next(r for r in REGISTRATIONS if r.check.id == check_id)


def test_drift_missing_page(copy: Path) -> None:
    (copy / "docs/checks/CKV_KMSG_3.md").unlink()
    assert any("no page" in p for p in _drifted(copy))


def test_drift_severity(copy: Path) -> None:
    _edit(copy / "docs/checks/CKV_KMSG_4.md", "| Severity | LOW |", "| Severity | HIGH |")
    _edit(copy / "README.md", "| LOW | [CKV_KMSG_4]", "| MEDIUM | [CKV_KMSG_4]")
    problems = _drifted(copy)
    assert any("CKV_KMSG_4: page severity" in p for p in problems)
    assert any("CKV_KMSG_4: README severity" in p for p in problems)


def test_drift_name_category_and_resource_types(copy: Path) -> None:
    page = copy / "docs/checks/CKV_KMSG_3.md"
    _edit(page, "# CKV_KMSG_3: KMS keys keep", "# CKV_KMSG_3: keys keep")
    _edit(page, ", `aws_kms_replica_external_key` |", " |")
    _edit(copy / "docs/checks/CKV2_KMSG_2.md", "| Category | IAM |", "| Category | ENCRYPTION |")
    problems = _drifted(copy)
    assert any("CKV_KMSG_3: page title" in p for p in problems)
    assert any("CKV_KMSG_3: page 'Resource types'" in p for p in problems)
    assert any("CKV2_KMSG_2: page category" in p for p in problems)


def test_drift_settings(copy: Path) -> None:
    _edit(copy / "docs/checks/CKV_KMSG_1.md", "| Settings | none |", "| Settings | `KMSGUARD_MIN_DELETION_WINDOW_DAYS` |")
    assert any("CKV_KMSG_1: page Settings" in p for p in _drifted(copy))


def test_drift_stale_source_file(copy: Path) -> None:
    _edit(copy / "docs/checks/CKV2_KMSG_2.md", "`kmsguard/rules/policy_documents.py`", "`kmsguard/iam.py`")
    assert any("kmsguard/iam.py, which does not exist" in p for p in _drifted(copy))


def test_drift_missing_readme_row(copy: Path) -> None:
    readme = copy / "README.md"
    readme.write_text("".join(line for line in readme.read_text().splitlines(keepends=True)
                              if not line.startswith("| CKV2_KMSG_2 |")))
    assert "CKV2_KMSG_2: no row in the README check table" in _drifted(copy)


def test_drift_missing_case_outcome(copy: Path) -> None:
    for expected in (copy / "tests/cases/CKV_KMSG_4").glob("*/expected.yaml"):
        expected.write_text(expected.read_text().replace(": PASSED", ": FAILED"))
    assert "CKV_KMSG_4: no case in tests/cases/CKV_KMSG_4/ expects PASSED" in _drifted(copy)


def test_drift_second_framework_needs_its_own_types_row(copy: Path) -> None:
    # A CloudFormation registration of a pack ID is checked against its own row of the page.
    terraform = Registration("terraform", registered_check("CKV_KMSG_2", "aws_kms_key"))
    cloudformation = Registration("cloudformation", terraform.check)
    assert any("'Resource types (cloudformation)'" in p for p in page_problems(cloudformation, copy))
    assert not page_problems(terraform, copy)

"""Every pack verdict names the attributes it read (Checkov's ``evaluated_keys``), for Checkov's own outputs."""
from pathlib import Path

from checkov.common.output.record import Record
from checkov.common.output.report import Report
from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner

import checkov_run

FULL_STACK = Path(__file__).parent / "cases" / "CKV2_KMSG_1" / "full_stack"  # every check but CKV2_KMSG_2
ROLES = Path(__file__).parent / "cases" / "CKV2_KMSG_2" / "read_write_exact"


def test_every_pack_result_has_evaluated_keys():
    checkov_run.ensure_loaded()
    ids = sorted(i for i in checkov_run.registered_ids() if "KMSG" in i)
    records: list[Record] = []
    for tree in (FULL_STACK, ROLES):
        report = Runner().run(root_folder=str(tree), runner_filter=RunnerFilter(framework=["terraform"], checks=ids))
        assert isinstance(report, Report)
        records += report.passed_checks + report.failed_checks
    assert {r.check_id for r in records} == set(ids)
    for record in records:
        assert record.check_result.get("evaluated_keys"), (record.check_id, record.resource)

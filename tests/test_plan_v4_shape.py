"""Provider-v4 plans write ``server_side_encryption_configuration = []`` on every aws_s3_bucket (issue 9 point 9).

``[]`` is no inline block: no CKV_KMSG_1 / CKV_KMSG_4 result on the bucket.
The fixture is hand-made (tests/plans/provider_v4/README.md says why and from what).
"""
from __future__ import annotations

import pytest

from plans.scan import REPO, scan_plan

pytestmark = pytest.mark.e2e

PLAN = REPO / "tests" / "plans" / "provider_v4" / "tfplan.handmade.json"


def test_empty_inline_block_is_no_inline_encryption():
    results = {(r["check_id"], r["resource"]): r["result"] for r in scan_plan(PLAN)}
    assert results == {
        # S3 applies the separate configuration: aws:kms with a customer-managed key, Bucket Keys on.
        ("CKV_KMSG_1", "aws_s3_bucket_server_side_encryption_configuration.encrypted"): "PASSED",
        ("CKV_KMSG_4", "aws_s3_bucket_server_side_encryption_configuration.encrypted"): "PASSED",
        ("CKV2_KMSG_1", "aws_s3_bucket.encrypted"): "PASSED",
        # No configuration at all: SSE-S3 with an Amazon-owned key.
        ("CKV2_KMSG_1", "aws_s3_bucket.plain"): "FAILED",
    }

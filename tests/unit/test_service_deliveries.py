"""CKV2_KMSG_3's helpers that the rule cases do not pin down on their own."""
from kmsguard.readers import cloudformation_intrinsics
from kmsguard.rules import delivery_access


def test_cloudformation_stand_ins_match_the_template_reader():
    # The rule reads the template reader's pseudo-parameter stand-ins as the stack's account and region.
    assert delivery_access.CLOUDFORMATION_ACCOUNT == cloudformation_intrinsics.ACCOUNT_ID
    assert delivery_access.CLOUDFORMATION_REGION == cloudformation_intrinsics.REGION

"""The graph adapter is the only code that reads Checkov's internal graph: if an
upgrade changes it, these tests are the ones that break.

From the graph the adapter takes the scanned files and where each Checkov
resource sits; the model it hands the rules is the evaluated Terraform.
"""
from pathlib import Path

import pytest
from checkov.common.graph.db_connectors.networkx.networkx_db_connector import NetworkxConnector
from checkov.common.graph.db_connectors.rustworkx.rustworkx_db_connector import RustworkxConnector
from checkov.terraform.graph_manager import TerraformGraphManager

from kmsguard.adapters import terraform_scan as adapter

TREE = Path(__file__).parent / "fixtures" / "graph"


@pytest.fixture(params=[RustworkxConnector, NetworkxConnector], ids=["rustworkx", "networkx"])
def library_graph(request):
    manager = TerraformGraphManager(db_connector=request.param())
    local_graph, _ = manager.build_graph_from_source_directory(str(TREE), render_variables=True)
    return manager.save_graph(local_graph)


def _one(scan, address, scanned_file):
    located = scan.locate({"__address__": address}, scanned_file)
    assert located.problem is None, located.problem
    assert len(located.blocks) == 1, located.blocks
    return located.blocks[0]


def test_checkov_resources_map_to_evaluated_instances(library_graph):
    scan = adapter.view(library_graph)
    bucket = _one(scan, "module.s3.aws_s3_bucket.this", "/modules/s3/main.tf")
    assert (bucket.block_type, bucket.type, bucket.address) == ("resource", "aws_s3_bucket", "module.s3.aws_s3_bucket.this")
    assert bucket.get("bucket") == "acme-graph"  # the module input, evaluated
    assert bucket.file_path == str(TREE / "modules" / "s3" / "main.tf")
    assert [b.address for b in scan.model.of_type("aws_iam_role")] == ["aws_iam_role.reader"]


def test_references_through_locals_and_module_outputs_become_edges(library_graph):
    scan = adapter.view(library_graph)
    policy = _one(scan, "aws_iam_role_policy.read", "/main.tf")
    config = _one(scan, "module.s3.aws_s3_bucket_server_side_encryption_configuration.this", "/modules/s3/main.tf")
    assert [b.address for b in scan.model.resolve(config, "rule", ["aws_kms_key"])] == ["aws_kms_key.this"]
    assert [b.address for b in scan.model.resolve(config, "bucket", ["aws_s3_bucket"])] == ["module.s3.aws_s3_bucket.this"]
    assert scan.model.resolve(policy, "policy", ["aws_kms_key"]) == []


def test_an_address_not_in_the_graph_is_a_problem_not_a_pass(library_graph):
    located = adapter.view(library_graph).locate({"__address__": "aws_s3_bucket.nowhere"}, "/main.tf")
    assert located.problem and "aws_s3_bucket.nowhere" in located.problem


def test_view_is_built_once_per_graph(library_graph):
    assert adapter.view(library_graph) is adapter.view(library_graph)


def test_no_graph_is_an_error_not_an_empty_view():
    with pytest.raises(adapter.GraphUnavailable):
        adapter.view(None)
    with pytest.raises(adapter.GraphUnavailable):
        adapter.view(object())

"""The graph adapter is the only code that reads Checkov's internal graph: if an
upgrade changes it, these tests are the ones that break."""
from pathlib import Path

import pytest
from checkov.common.graph.db_connectors.networkx.networkx_db_connector import NetworkxConnector
from checkov.common.graph.db_connectors.rustworkx.rustworkx_db_connector import RustworkxConnector
from checkov.terraform.graph_manager import TerraformGraphManager

from kmsguard import graph as adapter

TREE = Path(__file__).parent / "fixtures" / "graph"


@pytest.fixture(params=[RustworkxConnector, NetworkxConnector], ids=["rustworkx", "networkx"])
def library_graph(request):
    manager = TerraformGraphManager(db_connector=request.param())
    local_graph, _ = manager.build_graph_from_source_directory(str(TREE), render_variables=True)
    return manager.save_graph(local_graph)


def test_blocks_carry_type_name_address_and_config(library_graph):
    view = adapter.view(library_graph)
    bucket = view.by_address["module.s3.aws_s3_bucket.this"][0]
    assert (bucket.block_type, bucket.type, bucket.name) == ("resource", "aws_s3_bucket", "this")
    assert bucket.get("bucket") == "acme-graph"  # the module input, rendered
    assert [b.address for b in view.of_type("aws_iam_role")] == ["aws_iam_role.reader"]
    assert view.blocks_for({"__address__": "aws_kms_key.this"}) == [view.by_address["aws_kms_key.this"][0]]


def test_resolve_follows_locals_and_module_outputs(library_graph):
    view = adapter.view(library_graph)
    policy = view.by_address["aws_iam_role_policy.read"][0]
    found = view.resolve(policy, "policy", ["aws_s3_bucket"], policy.get("policy")["Statement"][0]["Resource"])
    assert [b.address for b in found] == ["module.s3.aws_s3_bucket.this"]
    assert view.resolve(policy, "policy", ["aws_kms_key"]) == []


def test_resolve_follows_module_inputs_to_the_caller(library_graph):
    view = adapter.view(library_graph)
    config = view.by_address["module.s3.aws_s3_bucket_server_side_encryption_configuration.this"][0]
    found = view.resolve(config, "rule", ["aws_kms_key"])
    assert [b.address for b in found] == ["aws_kms_key.this"]
    assert [b.address for b in view.resolve(config, "bucket", ["aws_s3_bucket"])] == ["module.s3.aws_s3_bucket.this"]


def test_view_is_built_once_per_graph(library_graph):
    assert adapter.view(library_graph) is adapter.view(library_graph)


def test_no_graph_is_an_error_not_an_empty_view():
    with pytest.raises(adapter.GraphUnavailable):
        adapter.view(None)
    with pytest.raises(adapter.GraphUnavailable):
        adapter.view(object())

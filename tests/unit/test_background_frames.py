"""Evaluated roots cross the process boundary with their edges, however long a chain of references."""
import pickle

from kmsguard.model.resources import Block
from kmsguard.readers import background_evaluation, terraform


def _chain(length: int) -> list[Block]:
    blocks = [Block(key=i, block_type="resource", type="aws_kms_key", name=f"k{i}", address=f"aws_kms_key.k{i}",
                    file_path="/t/main.tf", config={"description": [f"key {i}"]}, root="/t") for i in range(length)]
    for before, after in zip(blocks, blocks[1:]):
        before.out.append(("policy", after))
    return blocks


def test_a_chain_longer_than_the_recursion_limit_round_trips():
    blocks = _chain(3000)
    frozen = pickle.loads(pickle.dumps(background_evaluation._freeze(terraform.Root("/t", blocks[:5], {"/t"}))))
    root = background_evaluation._thaw(frozen)
    assert isinstance(root, terraform.Root)
    assert [b.address for b in root.blocks] == [f"aws_kms_key.k{i}" for i in range(5)]  # the root's own list
    walked, current = 0, root.blocks[0]
    while current.out:
        (label, current), = current.out
        assert label == "policy"
        walked += 1
    assert walked == 2999 and current.config == {"description": ["key 2999"]}


def test_an_error_round_trips_with_its_message():
    error = terraform.EvaluationError("Terraform in /t could not be evaluated: bad tfvars")
    thawed = background_evaluation._thaw(pickle.loads(pickle.dumps(background_evaluation._freeze(error))))
    assert isinstance(thawed, terraform.EvaluationError) and str(thawed) == str(error)

"""The fixer's incremental parse gives, after every edit, exactly the items a parse of the whole text gives."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kmsguard.fix import incremental_parse
from kmsguard.fix.hcl_text import HclSyntaxError, Nested, body_items

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("tests/cases", "tests/fix_cases", "examples")
                 for p in (ROOT / folder).rglob("*.tf*") if p.suffix in (".tf", ".tfvars") and ".terraform" not in p.parts)
NEW_BLOCK = 'resource "aws_kms_alias" "added" {\n  name          = "alias/added"\n  target_key_id = "x"\n}\n'


def _items(text: str) -> list:
    return [incremental_parse.shifted(item, delta) for item, delta in incremental_parse.top_items(text)]


def _edit(text: str, rng: random.Random) -> str:
    """One edit of the kinds the fixer makes: a block added or removed, a line added inside a block, a value changed."""
    items = body_items(text, 0, len(text))
    blocks = [i for i in items if isinstance(i, Nested)]
    kind = rng.choice(["add", "remove", "inside", "value", "prepend", "append", "extend"])
    top_level = [i for i in items if not isinstance(i, Nested)]  # tfvars entries
    if kind == "extend" and top_level:  # the value runs on along its line
        attribute = rng.choice(top_level)
        return text[:attribute.value_end] + " == null ? 1 : 2" + text[attribute.value_end:]
    if not blocks or kind == "append":
        return text + "\n" + NEW_BLOCK
    block = rng.choice(blocks)
    if kind == "add":
        return text[:block.close + 1] + "\n\n" + NEW_BLOCK.rstrip("\n") + text[block.close + 1:]
    if kind == "remove":
        return text[:block.start] + text[block.close + 1:]
    if kind == "prepend":
        return "# a comment\n" + NEW_BLOCK + text
    attributes = [i for i in block.items if not isinstance(i, Nested)]
    if kind == "value" and attributes:
        attribute = rng.choice(attributes)
        return text[:attribute.value_start] + '"changed ${var.x}"' + text[attribute.value_end:]
    return text[:block.close] + '  enable_key_rotation = true # added\n' + text[block.close:]


PICKED = SOURCES[::3] + [p for p in SOURCES if p.suffix == ".tfvars"]  # a third of the files, every tfvars


@pytest.mark.parametrize("path", PICKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_edits_parse_as_the_whole_text_does(path: Path) -> None:
    rng = random.Random(str(path.relative_to(ROOT)))
    text = path.read_text(encoding="utf-8")
    try:
        expected = body_items(text, 0, len(text))
    except HclSyntaxError:
        pytest.skip("not HCL this parser reads (a hostile-input fixture)")
    assert _items(text) == expected
    for _ in range(12):
        text = _edit(text, rng)
        assert _items(text) == body_items(text, 0, len(text))


def test_a_change_that_joins_two_blocks_is_parsed_whole() -> None:
    text = 'resource "a" "b" {\n  x = 1\n}\n\nresource "c" "d" {\n  y = 2\n}\n'
    _items(text)
    joined = text.replace("}\n\nresource", "\n  z = {\n}\n\nresource", 1)  # the first block now runs on
    with pytest.raises(HclSyntaxError):
        body_items(joined, 0, len(joined))
    with pytest.raises(HclSyntaxError):
        _items(joined)


def test_edits_in_a_long_file_parse_as_the_whole_text_does() -> None:
    # Longer than the chunks the unchanged stretches are compared in, with edits near both ends and the middle.
    text = "".join(f'resource "aws_kms_key" "k{n}" {{\n  description = "key {n}"\n}}\n\n' for n in range(400))
    rng = random.Random(7)
    _items(text)
    for _ in range(30):
        text = _edit(text, rng)
        assert _items(text) == body_items(text, 0, len(text))


@pytest.mark.parametrize("where", [0, 1, 4095, 4096, 4097, 8191, 8192, 9000, 11999])
def test_unchanged_stretches_are_measured_exactly(where: int) -> None:
    # Brute force against the chunked comparison, with the one change at and around chunk boundaries.
    rng = random.Random(where)
    old = "".join(rng.choice("ab\n{}") for _ in range(12000))
    new = old[:where] + "X" + old[where + 1:]
    assert incremental_parse._common_prefix(old, new, len(old)) == where
    assert incremental_parse._common_suffix(old, new, len(old)) == len(old) - where - 1
    longer = old[:where] + "inserted" + old[where:]
    assert incremental_parse._common_prefix(old, longer, len(old)) == next(
        (i for i in range(len(old)) if old[i] != longer[i]), len(old))
    assert incremental_parse._common_suffix(old, longer, len(old)) == next(
        (n for n in range(len(old)) if old[-1 - n] != longer[-1 - n]), len(old))

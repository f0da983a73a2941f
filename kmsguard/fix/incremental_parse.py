"""The top-level items of a Terraform file as edits change it, without parsing the whole file after each edit.

Edits are spliced in one after another and each finds its block again in the
text the previous one left. An edit changes one stretch of a file, so the
items before that stretch are the same, the items after it are the same
moved by the change in length, and only the stretch is parsed again. The
result is what ``body_items`` gives for the whole text (when the stretch does
not end where a later item begins, the whole text is parsed).

Items are kept with a pending shift, ``(item, delta)``; ``shifted`` makes the
one a caller asks for.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from kmsguard.fix.hcl_text import Attribute, Nested, body_items

_RECENT: OrderedDict[str, list[tuple[Attribute | Nested, int]]] = OrderedDict()
_KEEP = 64  # texts remembered: the files of one planning round, a few versions each
_CHUNK = 4096


def top_items(text: str) -> list[tuple[Attribute | Nested, int]]:
    """``body_items(text, 0, len(text))`` as (item, offset shift) pairs."""
    items = _RECENT.get(text)
    if items is not None:
        _RECENT.move_to_end(text)
        return items
    for earlier in list(_RECENT)[-2:]:  # an edit's text follows the text it was made in
        items = _reparse(earlier, _RECENT[earlier], text)
        if items is not None:
            break
    else:
        items = [(item, 0) for item in body_items(text, 0, len(text))]
    _RECENT[text] = items
    while len(_RECENT) > _KEEP:
        _RECENT.popitem(last=False)
    return items


def shifted(item, delta: int):
    """``item`` with every offset moved by ``delta``."""
    if delta == 0:
        return item
    if isinstance(item, Attribute):
        return Attribute(item.name, item.start + delta, item.value_start + delta, item.value_end + delta)
    return Nested(item.type, item.labels, item.start + delta, item.open + delta, item.close + delta,
                  [shifted(child, delta) for child in item.items])


def _end(item) -> int:
    return item.value_end if isinstance(item, Attribute) else item.close + 1


def _reparse(old: str, items: list[tuple[Attribute | Nested, int]], new: str):
    """``new``'s items from ``old``'s, parsing only what changed; None when ``new`` is not a small change of ``old``."""
    limit = min(len(old), len(new))
    prefix = _common_prefix(old, new, limit)
    suffix = _common_suffix(old, new, limit - prefix)
    if prefix + suffix < len(new) // 2:
        return None
    delta = len(new) - len(old)
    # An attribute's value ends at its newline: only items that end before the last unchanged newline are kept.
    kept_until = old.rfind("\n", 0, prefix)
    tail_from = len(old) - suffix
    before: list[tuple[Attribute | Nested, int]] = []
    after: list[tuple[Attribute | Nested, int]] = []
    region_start, region_end = 0, len(new)
    for item, shift in items:
        start, end = item.start + shift, _end(item) + shift
        if end <= kept_until:
            before.append((item, shift))
            region_start = end
        elif start >= tail_from:
            if not after:
                region_end = start + delta
            after.append((item, shift + delta))
    middle = body_items(new, region_start, region_end)
    if middle and _end(middle[-1]) > region_end:
        return None  # the changed stretch runs into the next item: the whole text decides
    return before + [(item, 0) for item in middle] + after


def _common_prefix(a: str, b: str, limit: int) -> int:
    return _agreeing(limit, lambda i, j: a[i:j] == b[i:j])


def _common_suffix(a: str, b: str, limit: int) -> int:
    la, lb = len(a), len(b)
    return _agreeing(limit, lambda i, j: a[la - j:la - i] == b[lb - j:lb - i])


def _agreeing(limit: int, same: Callable[[int, int], bool]) -> int:
    """How many characters agree (at most ``limit``); ``same(i, j)``: characters i to j (from one end) agree."""
    i = 0
    while i < limit:  # chunk by chunk, then a binary search in the chunk that differs
        j = min(i + _CHUNK, limit)
        if not same(i, j):
            low, high = i, j  # i..low agree, i..high do not
            while high - low > 1:
                middle = (low + high) // 2
                if same(i, middle):
                    low = middle
                else:
                    high = middle
            return low
        i = j
    return limit

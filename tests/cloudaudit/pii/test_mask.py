"""Masking never reveals more than the last 4 characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudaudit.pii import mask


@given(value=st.text(max_size=80))
@settings(max_examples=500, deadline=None)
def test_mask_reveals_at_most_a_suffix_of_four(value: str) -> None:
    masked = mask(value)
    stripped = value.strip()
    assert len(masked) == len(stripped)
    kept = len(masked) - len(masked.lstrip("*"))
    revealed = masked[kept:]
    assert len(revealed) <= 4
    assert stripped.endswith(revealed)
    assert set(masked[:kept]) <= {"*"}


@given(value=st.text(alphabet=st.characters(blacklist_characters="*"), min_size=1, max_size=80))
@settings(max_examples=300, deadline=None)
def test_mask_keeps_at_most_a_third(value: str) -> None:
    masked = mask(value)
    shown = sum(1 for c in masked if c != "*")
    assert shown <= min(4, len(value.strip()) // 3)


def test_examples() -> None:
    assert mask("123456780257") == "********0257"
    assert mask("S1234567D") == "******67D"
    assert mask("abc") == "**c"
    assert mask("ab") == "**"

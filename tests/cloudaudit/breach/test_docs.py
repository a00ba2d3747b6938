"""docs/breach/ says what the policy files say: regenerate with `python -m cloudaudit.breach.docs`."""

from __future__ import annotations

from pathlib import Path

from cloudaudit.breach.docs import DISCLAIMER, pages

DOCS = Path(__file__).resolve().parents[3] / "docs" / "breach"


def test_breach_docs_are_current() -> None:
    generated = pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in generated.keys() | on_disk.keys() if generated.get(name) != on_disk.get(name))
    assert not stale, f"stale docs/breach pages {stale}: run `python -m cloudaudit.breach.docs docs/breach`"


def test_every_page_says_it_is_not_legal_advice_and_dates_each_rule() -> None:
    for name, text in pages().items():
        assert DISCLAIMER in text, name
        if name != "README.md" and "No notification rule" not in text:
            assert "in force **" in text and "checked 20" in text, name

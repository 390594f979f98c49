"""Docs generated from code stay in step with it (the check codes themselves: test_check_codes.py)."""

import pytest

from flows.docs import DOCS, RENDERERS


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_generated_docs_are_up_to_date(name):
    assert (DOCS / name).read_text(encoding="utf-8") == RENDERERS[name](), "run: uv run python -m flows.docs"


def test_every_warehouse_column_has_a_label():
    unlabelled = [line for line in RENDERERS["warehouse.md"]().splitlines() if line.endswith("|  |")]
    assert unlabelled == [], "add them to warehouse/columns.csv"

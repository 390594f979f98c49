"""Docs generated from code stay in step with it, and every code the checks can emit is catalogued."""

import re
from pathlib import Path

import pytest

from flows.docs import DOCS, RENDERERS
from schemas.checks import checks

SOURCES = Path(__file__).resolve().parent.parent / "schemas"


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_generated_docs_are_up_to_date(name):
    assert (DOCS / name).read_text(encoding="utf-8") == RENDERERS[name](), "run: uv run python -m flows.docs"


def test_every_check_code_the_code_emits_is_in_the_catalogue():
    emitted = set()
    for path in SOURCES.rglob("*.py"):
        emitted |= set(re.findall(r'(?:RowCheck\(|file_issue\(|check_definition\()\s*"([a-z0-9-]+)"', path.read_text()))
    assert len(emitted) > 30
    assert emitted <= set(checks())


def test_every_warehouse_column_has_a_label():
    unlabelled = [line for line in RENDERERS["warehouse.md"]().splitlines() if line.endswith("|  |")]
    assert unlabelled == [], "add them to warehouse/columns.csv"

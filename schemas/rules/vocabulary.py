"""Map the many spellings of a controlled value ("ThS", "Thạc sỹ", "Cao học") to one canonical code."""

from __future__ import annotations

import csv
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import polars as pl

from schemas.reading.text import fold
from schemas.reference import reference_path

_FILLER = re.compile(r"\b(trinh do|bang|tot nghiep|loai)\b")
_IN_PROGRESS = re.compile(r"\bdang hoc\b.*$")
# Fields whose values are easily written in the wrong one of them (spec §2: vocab-wrong-column).
SIBLING_FIELDS = {
    "education_level": ("political_theory", "state_management", "it_level"),
    "political_theory": ("education_level", "state_management"),
    "state_management": ("political_theory", "education_level"),
    "it_level": ("foreign_language_level", "education_level"),
}
# Synonyms that are only themselves when they are the whole cell: "Cử nhân Luật" is no political theory.
_EXACT_ONLY = {"political_theory": {"cu nhan"}}
# How alike (difflib ratio) a typo must be to a known spelling before "did you mean" names it.
SUGGESTION_CUTOFF = 0.75
_SHORT_CONTAINED_OK = {"foreign_language_level", "foreign_language_name"}


@dataclass(frozen=True)
class Resolution:
    """How one written value resolved: a code, or why not (`unknown`, `wrong_column` with the other field)."""

    code: str | None
    status: str
    other_field: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """One field's synonyms (folded) with codes and ranks."""

    field: str
    synonyms: dict[str, str]
    ranks: dict[str, int]
    canonical: dict[str, str]

    def find(self, folded: str) -> str | None:
        """Exact synonym first, else the highest-ranked (then longest) synonym present as whole words."""
        if folded in self.synonyms:
            return self.synonyms[folded]
        padded = f" {folded} "
        exact_only = _EXACT_ONLY.get(self.field, set())
        found = {
            synonym: code
            for synonym, code in self.synonyms.items()
            if synonym not in exact_only
            and (len(synonym) > 2 or self.field in _SHORT_CONTAINED_OK)
            and f" {synonym} " in padded
        }
        # A phrase inside a longer one found too is part of it: "hoàn thành nhiệm vụ" in "không hoàn thành nhiệm vụ".
        whole = [s for s in found if not any(s != t and f" {s} " in f" {t} " for t in found)]
        ranked = [(self.ranks.get(found[s], -1), len(s), found[s]) for s in whole]
        return max(ranked)[2] if ranked else None


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """Load vocabularies.csv once per process."""
    synonyms: dict[str, dict[str, str]] = defaultdict(dict)
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    canonical: dict[str, dict[str, str]] = defaultdict(dict)
    with reference_path("vocabularies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            field, code = row["field"], row["code"]
            synonyms[field].setdefault(_prepare(row["synonym"]), code)
            synonyms[field].setdefault(_prepare(row["canonical_vi"]), code)
            canonical[field].setdefault(code, row["canonical_vi"])
            if row["rank"]:
                ranks[field][code] = int(row["rank"])
    return {field: Vocabulary(field, synonyms[field], ranks[field], canonical[field]) for field in synonyms}


def _prepare(value: str) -> str:
    return re.sub(r"\s+", " ", _FILLER.sub(" ", fold(value))).strip()


def resolve(field: str, value: str | None) -> Resolution:
    """Resolve one written value of `field`; blank stays blank."""
    if value is None:
        return Resolution(None, "blank")
    vocab = vocabularies()
    prepared = _prepare(value)
    completed = _IN_PROGRESS.sub("", prepared).strip()
    if not completed and prepared:
        return Resolution(None, "in_progress")
    code = vocab[field].find(completed)
    if code is not None:
        return Resolution(code, "ok")
    for other in SIBLING_FIELDS.get(field, ()):
        if completed in vocab[other].synonyms:
            return Resolution(None, "wrong_column", other)
    return Resolution(None, "unknown", suggestion=_closest(vocab[field], completed))


def _closest(vocabulary: Vocabulary, folded: str) -> str | None:
    """The canonical value whose spelling is closest to a typo ("Dai hoc" for "Đại hộc"), if any is close."""
    close = difflib.get_close_matches(folded, list(vocabulary.synonyms), n=1, cutoff=SUGGESTION_CUTOFF)
    return vocabulary.canonical[vocabulary.synonyms[close[0]]] if close else None


def resolve_column(field: str, values: pl.Series) -> pl.DataFrame:
    """Resolve every distinct value of a column once: columns `value`, `code`, `status`, `other_field`."""
    distinct = values.drop_nulls().unique().to_list()
    resolved = [resolve(field, value) for value in distinct]
    return pl.DataFrame(
        {
            "value": distinct,
            "code": [r.code for r in resolved],
            "status": [r.status for r in resolved],
            "other_field": [r.other_field for r in resolved],
            "suggestion": [r.suggestion for r in resolved],
        },
        schema={
            "value": pl.String,
            "code": pl.String,
            "status": pl.String,
            "other_field": pl.String,
            "suggestion": pl.String,
        },
    )

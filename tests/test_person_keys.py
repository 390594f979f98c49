"""A person's key is the HMAC-SHA256 of their ID (or of name, birth date and gender) under the workspace's secret, cut
to 16 hex digits: the same key every night and in every version, or history would lose people."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from schemas.judging.helper_columns import FOLDED_NAME
from schemas.judging.records import person_keys

ids = st.from_regex(r"\d{12}", fullmatch=True)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
secrets = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
people = st.lists(
    st.tuples(
        st.one_of(st.none(), ids), names, st.one_of(st.none(), st.dates()), st.sampled_from([None, "male", "female"])
    ),
    min_size=1,
    max_size=20,
)


def reference_key(secret: str, national_id: str | None, name: str, birth: dt.date | None, gender: str | None) -> str:
    subject = f"id:{national_id}" if national_id else f"nd:{name}|{birth.isoformat() if birth else ''}|{gender or ''}"
    return hmac.new(secret.encode(), subject.encode(), hashlib.sha256).hexdigest()[:16]


@given(secret=secrets, rows=people)
def test_a_person_key_is_the_hmac_of_who_they_are(secret, rows):
    frame = pl.DataFrame(
        {
            "national_id": [row[0] for row in rows],
            "national_id_kind": ["cccd" if row[0] else None for row in rows],
            FOLDED_NAME.name: [row[1] for row in rows],
            "birth_date": [row[2] for row in rows],
            "gender": [row[3] for row in rows],
        },
        schema={
            "national_id": pl.String,
            "national_id_kind": pl.String,
            FOLDED_NAME.name: pl.String,
            "birth_date": pl.Date,
            "gender": pl.String,
        },
    )
    assert person_keys(frame, secret).to_list() == [reference_key(secret, *row) for row in rows]

"""What the judging knows about a file besides its cells: who sent it, as of when, under which rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from schemas.policy import Policy
from schemas.reading.limits import ReadLimits
from schemas.rules.agencies import AgencyNames


@dataclass(frozen=True)
class ReadContext:
    """What the reader knows besides the file: the sending agency, the as-of date and the workspace's rules."""

    agency_code: str
    agency_group: str | None
    default_staff_category: str | None
    as_of: dt.date
    province_codes: tuple[str, ...]
    person_key_secret: str
    policy: Policy = dataclasses.field(default_factory=Policy)


@dataclass(frozen=True)
class FileContext:
    """What the flow knows about a file before reading it. `agency_given` is false when nobody said who sent it
    (`staffq check` without an agency): the checks that compare the file with its sender are skipped, not failed."""

    read: ReadContext
    agency_known: bool = True
    agency_given: bool = True
    current_list_as_of: dt.date | None = None
    agency_name: str | None = None
    agency_names: AgencyNames = dataclasses.field(default_factory=AgencyNames)
    limits: ReadLimits = dataclasses.field(default_factory=ReadLimits)

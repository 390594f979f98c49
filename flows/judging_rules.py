"""What every file of a workspace is judged against, as the nightly run, `staffq check` and the portal judge it: a
module of its own so that judging one file (`check`, the portal) does not import the night's machinery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from flows.settings import Settings
from schemas.judging.context import FileContext, ReadContext
from schemas.policy import Policy
from schemas.reading.limits import ReadLimits
from schemas.rules.agencies import AgencyNames, agency_at, agency_names
from schemas.rules.identity import province_codes


@dataclass(frozen=True)
class JudgingRules:
    """What every file is judged against, whoever sent it: the agency catalogue (and its names, folded once), the
    thresholds, the person-key secret and the read limits."""

    catalogue: pl.DataFrame
    policy: Policy
    names: AgencyNames
    person_key_secret: str
    limits: ReadLimits

    @classmethod
    def of(cls, settings: Settings, catalogue: pl.DataFrame, policy: Policy | None = None) -> JudgingRules:
        """The rules of these settings and catalogue; `policy` when the workspace has its own tables."""
        return cls(
            catalogue,
            policy or settings.policy(),
            agency_names(catalogue),
            settings.privacy.person_key_secret,
            settings.limits.read_limits(),
        )

    def context(self, agency_code: str, received: dt.date, current_list_as_of: dt.date | None = None) -> FileContext:
        """What the reader needs to know about the sending agency and the workspace's rules."""
        agency = agency_at(self.catalogue, agency_code, received)
        read = ReadContext(
            agency_code=agency_code,
            agency_group=agency.agency_group if agency else None,
            default_staff_category=agency.default_staff_category if agency else None,
            as_of=received,
            province_codes=province_codes(),
            person_key_secret=self.person_key_secret,
            policy=self.policy,
        )
        return FileContext(
            read,
            agency_known=agency is not None,
            current_list_as_of=current_list_as_of,
            agency_name=agency.name if agency else None,
            agency_names=self.names,
            limits=self.limits,
        )

"""Settings: command-line flags, then STAFFQ_* environment variables, then staffq.toml, then these defaults; the
person-key secret, unset in all of them, from the workspace's secret file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flows.processes import WorkerLimits
from schemas.policy import Policy
from schemas.reading.limits import ReadLimits
from schemas.rules.agencies import read_agencies
from schemas.rules.positions import position_rules
from schemas.rules.standards import title_standards
from warehouse.lake import Lake
from warehouse.workspace import CONFIG_FILE, Workspace

if TYPE_CHECKING:
    import polars as pl

SECRET_FILE = ".staffq-secret"
MIN_SECRET_LENGTH = 16
SettingsModel = TypeVar("SettingsModel", bound=BaseSettings)


class PathSettings(BaseModel):
    """Where the workspace keeps its files, relative to the workspace folder unless absolute."""

    inbox: str = Field("inbox", description="Agency files as received, one folder per agency code.")
    archive: str = Field("archive", description="Immutable copy of every file ingested, named by content hash.")
    outbox: str = Field("outbox", description="Feedback for each agency: the problems found in its files.")
    agencies: str = Field("agencies.csv", description="The agency catalogue.")
    warehouse: str = Field("warehouse.duckdb", description="The writer's database; only the flow opens it.")
    published: str = Field("staffq.duckdb", description="The analysts' copy, published after each run.")
    positions: str = Field("positions.csv", description="Positions catalogue: which posts are leaders, at what level.")
    title_standards: str = Field(
        "title_standards.csv", description="Minimum qualifications per leader level and role (defaults to confirm)."
    )


class ScheduleSettings(BaseModel):
    """When `staffq serve` runs the nightly flow."""

    cron: str = Field("0 1 * * *", description="Cron expression of the nightly run.")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone the cron expression is read in.")
    interval_seconds: int = Field(
        0, description="When above 0, run every this many seconds instead of on the cron (catching up, testing)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("not a time zone of the IANA database, e.g. Asia/Ho_Chi_Minh") from error
        return value


class AlertSettings(BaseModel):
    """Who hears about invalid or late agency data."""

    operator: list[str] = Field(
        default_factory=list,
        description='Apprise URLs for the operator\'s digest, e.g. ["json://127.0.0.1:8080/hook", '
        '"mailto://user:pass@mail.example.org?to=ops@example.org"]. Agencies\' own lists: column alert_urls of '
        "agencies.csv.",
    )
    attempts: int = Field(3, description="Delivery attempts per channel before it is recorded as failed.")
    backoff_seconds: float = Field(2.0, description="Wait before the second attempt; doubled before each next one.")


class PrivacySettings(BaseModel):
    """Keys that protect personal data."""

    person_key_secret: str = Field(
        "",
        description=f"HMAC key behind person_key, at least {MIN_SECRET_LENGTH} characters. Unset here, it is read "
        f"from the file {SECRET_FILE} that init/demo write (readable by its owner only). Keep it secret, never "
        "commit it, and never change it once lists are loaded: every person_key would change.",
    )


class ValidationSettings(BaseModel):
    """Thresholds the organisation board must confirm (defaults of the staff-list spec)."""

    min_age: int = Field(18, description="Youngest plausible age at the as-of date.")
    max_age: int = Field(70, description="Oldest plausible age at the as-of date.")
    max_row_error_share: float = Field(
        0.5, description="Share of rows with errors above which the whole file is returned."
    )
    as_of_max_age_days: int = Field(
        62, description="A list dated more than this many days before it was received is flagged as stale."
    )
    party_official_max_months: int = Field(
        24, description="Longest plausible time from joining the Party to full membership, in months."
    )
    rating_month: int = Field(
        12, description="Month from which a list's as-of year has its annual rating (else the year before)."
    )
    term_start: dt.date = Field(
        dt.date(2020, 10, 1),
        description="Start of one Party term; terms follow every term_years (succession planning, history).",
    )
    term_years: int = Field(5, description="Length of a term in years.")
    repeated_warning_share: float = Field(
        0.5,
        description="A warning with the same message on more than this share of a list's rows (and on at least "
        "repeated_warning_min_rows) is reported once for the list, not row by row.",
    )
    repeated_warning_min_rows: int = Field(
        5, description="Fewest rows a warning must repeat on to be reported once for the list."
    )


class LimitSettings(BaseModel):
    """How big one agency file may be; a file over a limit is returned to its agency unread, the night goes on."""

    max_file_mb: float = Field(200.0, description="Largest file read, in MB (1 MB = 1,048,576 bytes).")
    max_unpacked_mb: float = Field(
        500.0, description="Most data an .xlsx or .ods (a zip) may unpack to, in MB; stops zip bombs."
    )
    max_cells: int = Field(10_000_000, description="Most cells in one sheet's used area (rows x columns).")
    max_columns: int = Field(1_024, description="Last column a sheet may use (Excel allows 16,384).")
    max_memory_mb_per_file: int = Field(
        3_072,
        ge=512,
        description="Memory (address space, MB) of the process judging one file, or one batch of small files; a "
        "file that needs more is returned to its agency (file-memory-limit) and the night goes on.",
    )
    max_seconds_per_file: float = Field(
        180.0,
        gt=0,
        description="Wall time (seconds) judging one file, or one batch of small files, may take; a file that takes "
        "longer is returned to its agency (file-time-limit) and the night goes on.",
    )

    def read_limits(self) -> ReadLimits:
        """The limits in the form the reader takes them."""
        return ReadLimits(**self.model_dump(include=set(ReadLimits.__dataclass_fields__)))

    def worker_limits(self) -> WorkerLimits:
        """What one worker process may take, judging files or writing feedback."""
        return WorkerLimits(self.max_memory_mb_per_file, self.max_seconds_per_file)


class WarehouseSettings(BaseModel):
    """Where the warehouse is — the DuckDB file of `[paths]` (one city) or a DuckLake shared by the cities of a
    province — and how much memory the nightly load may take (past it, DuckDB spills to disk)."""

    backend: Literal["duckdb", "ducklake"] = Field(
        "duckdb",
        description='"duckdb": the warehouse file of [paths]; "ducklake": a lake with its catalog in PostgreSQL, '
        "written by several cities (see docs/operations.md, Beyond one machine).",
    )
    lake_catalog: str = Field(
        "",
        description="The lake's PostgreSQL catalog database as a libpq string, e.g. \"dbname=staffq_lake "
        'host=10.0.0.5 port=5432 user=staffq"; the password from PGPASSWORD or ~/.pgpass, never this file.',
    )
    lake_data_path: str = Field(
        "",
        description="The folder (shared by every writer, e.g. an NFS mount) or S3-compatible URL holding the "
        "lake's Parquet files.",
    )
    writer: str = Field(
        "",
        description='This city\'s code in the lake, e.g. "tanuyen": its own tables and folder there. Lower-case '
        "letters, digits and _.",
    )

    memory_limit: str = Field(
        "1GB",
        pattern=r"(?i)^\s*\d+(\.\d+)?\s*(mb|gb|tb|mib|gib|tib)\s*$",
        description="Most memory DuckDB holds while loading, computing the indicators and publishing, e.g. "
        '"1GB" or "8GB"; past it, it works on disk, slower.',
    )

    @model_validator(mode="after")
    def _lake_complete(self) -> WarehouseSettings:
        if self.backend == "ducklake":
            missing = [name for name in ("lake_catalog", "lake_data_path", "writer") if not getattr(self, name)]
            if missing:
                raise ValueError(f'backend "ducklake" needs [warehouse] {", ".join(missing)}')
            self.lake()
        return self

    def lake(self) -> Lake | None:
        """The lake of these settings, or None for the warehouse file."""
        if self.backend != "ducklake":
            return None
        return Lake(self.lake_catalog, self.lake_data_path, self.writer)


class ProvinceSettings(BaseModel):
    """A province's workspace (`staffq run --consolidate`): its own writer in the lake of [warehouse], whose figures
    are its cities' together."""

    code: str = Field("", description='The province\'s code on its figures (scope_code), e.g. "binhduong".')
    cities: list[str] = Field(
        [],
        description='The writer codes of its cities in their lake, e.g. ["tanuyen", "bencat"].',
    )
    cities_catalog: str = Field(
        "",
        description="The cities' lake catalog (a libpq string) when the province's own lake is another one, as it "
        "should be when analysts read the province's: the cities' lake holds national IDs. Empty: [warehouse] "
        "lake_catalog.",
    )
    cities_data_path: str = Field(
        "", description="The cities' lake data path, with cities_catalog. Empty: [warehouse] lake_data_path."
    )

    def cities_lake(self, own: Lake) -> Lake:
        """Where the cities write: their own catalog and data path, or the province's."""
        return dataclasses.replace(
            own, catalog=self.cities_catalog or own.catalog, data_path=self.cities_data_path or own.data_path
        )


class ExecutionSettings(BaseModel):
    """Where the nightly flow judges files and writes feedback: local worker processes, or a Dask cluster."""

    dask_address: str = Field(
        "",
        description='Address of a Dask scheduler, e.g. "tcp://10.0.0.5:8786": judging and feedback run as Prefect '
        "tasks on its workers, which need the same staffq installation and the workspace at the same path. Empty: "
        "local worker processes, one per core.",
    )


class ReportSettings(BaseModel):
    """What the official forms of `staffq report --format xlsx` print in the title block and above the signatures."""

    reporting_unit: str = Field(
        "",
        description='"Đơn vị báo cáo" on the forms; empty: the People\'s Committee of the city the catalogue names in '
        'its top government agency, e.g. "UBND thành phố Tân Uyên".',
    )
    receiving_unit: str = Field(
        "",
        description='"Đơn vị nhận báo cáo" on the forms, e.g. "Sở Nội vụ tỉnh Bình Dương"; empty: a dotted line to '
        "fill in by hand (the catalogue does not know who receives the report).",
    )
    place: str = Field(
        "",
        description='Where the forms are signed, the "…, ngày … tháng … năm …" line; empty: the city the catalogue '
        'names, e.g. "Tân Uyên".',
    )


class PortalSettings(BaseModel):
    """The clerks' portal that `staffq serve` runs beside the nightly flow: agencies check and send their lists in a
    browser (see docs/operations.md, The clerks' portal)."""

    enabled: bool = Field(True, description="Whether `staffq serve` runs the portal.")
    host: str = Field(
        "127.0.0.1",
        description="Address the portal listens on; keep 127.0.0.1 behind a reverse proxy that serves HTTPS.",
    )
    port: int = Field(8080, ge=1, le=65_535, description="Port the portal listens on.")
    session_hours: float = Field(8.0, gt=0, description="How long a sign-in lasts before the clerk signs in again.")
    max_failed_sign_ins: int = Field(
        5, ge=1, description="Wrong passwords in a row after which an account is locked for lockout_minutes."
    )
    lockout_minutes: float = Field(15.0, gt=0, description="How long an account stays locked.")
    prefect_ui_url: str = Field(
        "",
        description='The Prefect UI the operator\'s page links each night to, e.g. "https://prefect.example.org"; '
        "empty: the server `staffq serve` uses.",
    )


class Settings(BaseSettings):
    """Every setting of a workspace; sections are TOML tables and STAFFQ_<SECTION>__<KEY> variables."""

    # An empty variable counts as unset, as `STAFFQ_X=` in a compose or unit file means.
    model_config = SettingsConfigDict(
        env_prefix="STAFFQ_", env_nested_delimiter="__", env_ignore_empty=True, extra="ignore"
    )

    paths: PathSettings = PathSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    alerts: AlertSettings = AlertSettings()
    privacy: PrivacySettings = PrivacySettings()
    validation: ValidationSettings = ValidationSettings()
    limits: LimitSettings = LimitSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    execution: ExecutionSettings = ExecutionSettings()
    report: ReportSettings = ReportSettings()
    province: ProvinceSettings = ProvinceSettings()
    portal: PortalSettings = PortalSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    def policy(self) -> Policy:
        """The validation thresholds in the form the schemas take them."""
        return Policy(**self.validation.model_dump())


def load_settings(root: Path, model: type[SettingsModel] = Settings) -> SettingsModel:
    """Settings of the workspace at `root`: its staffq.toml as the file source, then its secret file. `model` may
    hold a few of the sections only, to read them when another is invalid."""

    class WorkspaceSettings(model):
        model_config = SettingsConfigDict(toml_file=root / CONFIG_FILE)

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (
                init_settings,
                env_settings,
                TomlConfigSettingsSource(settings_cls),
                _SecretFileSource(settings_cls, secret_file(root)),
            )

    return WorkspaceSettings()


def secret_file(root: Path) -> Path:
    """Where `init` writes the workspace's person-key secret."""
    return root / SECRET_FILE


def environment_variable(section: str, key: str | None = None) -> str | None:
    """The STAFFQ_ variable that sets `[section] key` (or the whole section), if one is set and not empty.
    Matched without regard to case, as pydantic-settings reads them."""
    wanted = f"STAFFQ_{section}__{key}" if key else f"STAFFQ_{section}"
    return next((name for name, value in os.environ.items() if name.upper() == wanted.upper() and value), None)


class _SecretFileSource(PydanticBaseSettingsSource):
    """The person-key secret from the workspace's secret file: the lowest source, so a secret in the environment
    or in staffq.toml (where init wrote it before the file existed) wins."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[object, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, object]:
        try:
            secret = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return {}
        return {"privacy": {"person_key_secret": secret}}


def workspace_of(root: Path, settings: Settings) -> Workspace:
    """The workspace layout with the configured paths applied."""
    root = root.resolve()
    paths = settings.paths
    return Workspace(
        root=root,
        inbox=root / paths.inbox,
        archive=root / paths.archive,
        outbox=root / paths.outbox,
        agencies=root / paths.agencies,
        warehouse=root / paths.warehouse,
        published=root / paths.published,
        positions=root / paths.positions,
        title_standards=root / paths.title_standards,
        lake=settings.warehouse.lake(),
    )


@dataclass(frozen=True)
class Configuration:
    """A workspace's configuration as a run reads it, once, and hands to each of its steps: the settings, the
    workspace's layout with the configured paths, and the agency catalogue."""

    settings: Settings
    workspace: Workspace
    catalogue: pl.DataFrame

    @classmethod
    def load(cls, root: Path) -> Configuration:
        """The configuration of the workspace at `root`."""
        settings = load_settings(root)
        workspace = workspace_of(root, settings)
        return cls(settings, workspace, read_agencies(workspace.agencies))


def workspace_policy(workspace: Workspace, settings: Settings) -> Policy:
    """The thresholds of the settings with the workspace's own positions and standards tables, where it has them."""
    tables = {}
    if workspace.positions.is_file():
        tables["positions"] = position_rules(workspace.positions)
    if workspace.title_standards.is_file():
        tables["title_standards"] = title_standards(workspace.title_standards)
    return dataclasses.replace(settings.policy(), **tables)


def render_config() -> str:
    """staffq.toml with every setting present, commented, at its default. The secret is not in it: the file is
    shared and copied, the secret file beside it is not."""
    lines = [
        "# staffq settings. Precedence: command-line flags, then STAFFQ_<SECTION>__<KEY> environment variables,",
        "# then this file, then the defaults shown here (commented out).",
    ]
    for section, section_field in Settings.model_fields.items():
        model = section_field.annotation
        lines += ["", f"[{section}]", *_comment(model.__doc__)]
        for key, field in model.model_fields.items():
            default = field.get_default(call_default_factory=True)
            lines += _comment(field.description)
            lines.append(f"# {key} = {_toml_value(default)}")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    """Text as TOML comment lines, one per line of a docstring, its indentation dropped."""
    return [f"# {line.strip()}" for line in text.strip().splitlines()]


def _toml_value(value: object) -> str:
    """A default as TOML writes it: dates bare, the rest as JSON (which TOML reads for strings, numbers, lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)

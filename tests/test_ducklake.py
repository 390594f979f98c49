"""The warehouse on DuckLake with its catalog in a real PostgreSQL: the same night gives the same warehouse as the
file; cities write one lake at once; a writer killed mid-load leaves the lake as it was; readers never see half a
night."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from postgres_server import postgres_server
from test_trust import INPUTS, TESTS, run_in_subprocess
from typer.testing import CliRunner

from conftest import FIXTURES, run_once
from flows.cli.app import app
from flows.cli.init import create_workspace
from flows.consolidation import consolidation
from flows.demo.workspace import prepare_demo
from warehouse import lake as lake_module
from warehouse.database import connect
from warehouse.lake import Lake, for_lake

# Its module fixtures are costly: its tests run on one worker, which builds them once.
pytestmark = pytest.mark.xdist_group("ducklake")

# What a night writes, compared before and after one is killed.
_NIGHT_TABLES = ("core.staff", "dq.submissions", "dq.issues", "dq.rejected_rows", "analytics.indicators")

# Columns that differ between two runs of the same night whatever the backend: when, how long, under which run.
_RUN_COLUMNS = ("run_id", "flow_run_id", "submission_id", "seconds")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("postgres")) as server:
        yield server


def set_section(root: Path, section: str, values: dict[str, object]) -> None:
    """Write settings under a table of a workspace's staffq.toml (which `init` writes with every table present), as
    an operator edits it."""
    config = root / "staffq.toml"
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f"[{section}]\n", f"[{section}]\n{lines}", 1), encoding="utf-8")


def use_lake(root: Path, lake: Lake) -> None:
    """Point a workspace's warehouse at a lake."""
    set_section(
        root,
        "warehouse",
        {"backend": "ducklake", "lake_catalog": lake.catalog, "lake_data_path": lake.data_path, "writer": lake.writer},
    )


def city_workspace(root: Path, lake: Lake, inputs: dict[str, str] = INPUTS) -> Path:
    """A city with a few tiny agency lists, writing into `lake`."""
    create_workspace(root)
    use_lake(root, lake)
    for agency, fixture in inputs.items():
        shutil.copy(FIXTURES / fixture, root / "inbox" / agency / "ds.csv")
    return root


def night_rows(lake: Lake) -> dict[str, int]:
    with connect(lake, read_only=True) as connection:
        return {table: connection.execute(f"select count(*) from {table}").fetchall()[0][0] for table in _NIGHT_TABLES}


def demo_workspace(root: Path, lake: Lake | None = None) -> Path:
    create_workspace(root)
    if lake:
        use_lake(root, lake)
    prepare_demo(root)
    return root


def table_contents(target) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns that name the run or the moment."""
    with connect(target, read_only=True) as connection:
        columns = connection.execute(
            """
            select schema_name || '.' || table_name, list(column_name order by column_index)
            from duckdb_columns() where database_name = current_database() and schema_name <> 'meta'
            group by all order by 1
            """
        ).fetchall()
        contents = {}
        for table, names in columns:
            kept = [n for n in names if n not in _RUN_COLUMNS and not n.endswith("_at")]
            rows = connection.execute(f"select {', '.join(kept)} from {table}").fetchall()
            contents[table] = sorted(rows, key=repr)
        return contents


def test_ducklake_ddl_keeps_everything_but_the_constraints():
    ddl = (
        "create table t (\n    a varchar primary key,\n    b int not null,\n"
        "    primary key (a, b),\n    check (b > 0)\n);"
    )
    assert for_lake(ddl) == "create table t (\n    a varchar,\n    b int not null\n);"


def test_ducklake_night_gives_the_warehouse_of_the_file(tmp_path, postgres, monkeypatch):
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "one secret for both workspaces")
    lake = Lake(postgres.create_database("equivalence"), str(tmp_path / "lake"), "tanuyen")
    on_file = run_once(demo_workspace(tmp_path / "file"))
    on_lake = run_once(demo_workspace(tmp_path / "lakecity", lake))
    assert on_lake.database == lake
    file_tables, lake_tables = table_contents(on_file.database), table_contents(on_lake.database)
    assert file_tables.keys() == lake_tables.keys()
    assert sum(len(rows) for rows in file_tables.values()) > 5_000
    for table, rows in file_tables.items():
        assert lake_tables[table] == rows, table
    assert table_contents(on_lake.published) == table_contents(on_file.published)


def test_ducklake_writer_killed_mid_load_leaves_the_lake_as_it_was_and_its_rerun_completes(tmp_path, postgres):
    lake = Lake(postgres.create_database("killed"), str(tmp_path / "lake"), "tanuyen")
    root = city_workspace(tmp_path / "city", lake)
    killed = run_in_subprocess(root, {"STAFFQ_FAULT_AT": "mid_load"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert set(night_rows(lake).values()) == {0}
    again = run_in_subprocess(root)
    assert again.returncode == 0, again.stderr
    after = night_rows(lake)
    assert after["dq.submissions"] == len(INPUTS) and after["core.staff"] > 0
    with connect(lake, read_only=True) as connection:
        runs = connection.execute("select status from dq.runs order by started_at").fetchall()
        loaded = connection.execute("select sum(rows_loaded) from dq.submissions").fetchall()[0][0]
    assert runs == [("crashed",), ("completed",)]
    assert loaded == after["core.staff"]


# A night after the tiny lists' dates, so that their people count in the figures.
AFTER_THE_LISTS = dt.date(2025, 1, 31)
RUN_NIGHT = (
    "import sys, datetime; sys.path.insert(0, sys.argv[1]); from conftest import run_once; from pathlib import Path; "
    "run_once(Path(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3]))"
)


def test_ducklake_two_cities_write_one_lake_at_once_and_the_province_adds_them_up(tmp_path, postgres, prefect_engine):
    catalog, data_path = postgres.create_database("province"), str(tmp_path / "lake")
    cities = {"tanuyen": INPUTS, "bencat": {"UB-NV": "valid_three_people.csv", "UB-TP": "names_in_nfd.csv"}}
    roots = {
        city: city_workspace(tmp_path / city, Lake(catalog, data_path, city), inputs) for city, inputs in cities.items()
    }
    nights = [
        subprocess.Popen(
            [sys.executable, "-c", RUN_NIGHT, str(TESTS), str(root), AFTER_THE_LISTS.isoformat()],
            env={**os.environ, "STAFFQ_PRIVACY__PERSON_KEY_SECRET": "test-secret"},
            stderr=subprocess.PIPE,
            text=True,
        )
        for root in roots.values()
    ]
    for night in nights:
        assert night.wait(timeout=300) == 0, night.stderr.read()
    for city, inputs in cities.items():
        assert night_rows(Lake(catalog, data_path, city))["dq.submissions"] == len(inputs)

    # The province's lake is the analysts': its own catalog database and data path, which the cities' never reach.
    province = tmp_path / "binhduong"
    create_workspace(province)
    province_lake = Lake(postgres.create_database("analysts"), str(tmp_path / "analysts_lake"), "binhduong")
    use_lake(province, province_lake)
    set_section(
        province,
        "province",
        {"code": "binhduong", "cities": list(cities), "cities_catalog": catalog, "cities_data_path": data_path},
    )
    nights_taken = consolidation(province, AFTER_THE_LISTS)
    assert {(n.city, n.as_of_date) for n in nights_taken} == {("tanuyen", AFTER_THE_LISTS), ("bencat", AFTER_THE_LISTS)}

    def figures(lake: Lake, scope: str) -> dict[str, tuple]:
        with connect(lake, read_only=True) as connection:
            rows = connection.execute(
                "select indicator_code, numerator, denominator, value from analytics.indicators "
                "where scope = ? and as_of_date = ?",
                [scope, AFTER_THE_LISTS],
            ).fetchall()
        return {code: (numerator, denominator, value) for code, numerator, denominator, value in rows}

    tanuyen, bencat = (figures(Lake(catalog, data_path, city), "city") for city in cities)
    whole = figures(province_lake, "province")
    assert whole.keys() == tanuyen.keys() | bencat.keys()
    assert whole["staff.total"][2] == tanuyen["staff.total"][2] + bencat["staff.total"][2] > 0
    for code, (numerator, denominator, value) in whole.items():
        parts = [city[code] for city in (tanuyen, bencat) if code in city]
        assert numerator == sum(p[0] for p in parts if p[0] is not None) or numerator is None, code
        if denominator:
            assert denominator == sum(p[1] for p in parts if p[1] is not None), code
        # A count, a share of the summed counts, or a figure that is neither, summed.
        share = numerator / denominator if numerator is not None and denominator else None
        assert value in (numerator, sum(p[2] or 0 for p in parts)) or value == pytest.approx(share), code
    with connect(province / "staffq.duckdb", read_only=True) as analysts:
        published = analysts.execute(
            "select value from analytics.indicators where scope = 'province' and indicator_code = 'staff.total'"
        ).fetchall()
    assert published == [(whole["staff.total"][2],)]
    assert night_rows(province_lake)["core.staff"] == 0  # no person, no national ID, on the analysts' side
    report = CliRunner().invoke(
        app,
        ["report", "--workspace", str(province), "--format", "md", "--as-of", AFTER_THE_LISTS.isoformat()],
        terminal_width=200,
    )
    assert report.exit_code == 0, report.output
    assert f"| `staff.total` | {whole['staff.total'][2]:g} |" in report.output  # the report is the province's


READER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from warehouse.lake import Lake, open_lake
    catalog, data_path, stop, out = sys.argv[1:5]
    lake = Lake(catalog, data_path, "tanuyen")
    answers, errors = [], []
    while not Path(stop).exists():
        try:
            connection = open_lake(lake, read_only=True)
            try:
                answers.append(connection.execute(
                    "select (select coalesce(sum(rows_loaded), 0) from dq.submissions), "
                    "(select count(*) from core.staff), (select count(*) from dq.submissions)"
                ).fetchall()[0])
            finally:
                connection.close()
        except Exception as error:
            errors.append(repr(error))
    Path(out).write_text(json.dumps({"answers": answers, "errors": errors}))
    """
)


def test_ducklake_readers_during_nights_see_no_error_and_never_half_a_night(tmp_path, postgres):
    lake = Lake(postgres.create_database("readers"), str(tmp_path / "lake"), "tanuyen")
    root = city_workspace(tmp_path / "city", lake, {"UB-NV": "valid_three_people.csv"})
    run_once(root)
    stop, out = tmp_path / "stop", tmp_path / "answers.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, lake.catalog, lake.data_path, str(stop), str(out)], cwd=TESTS.parent
    )
    try:
        shutil.copy(FIXTURES / "name_with_digits.csv", root / "inbox" / "UB-TP" / "ds.csv")
        run_once(root)
    finally:
        stop.touch()
        reader.wait(timeout=120)
    seen = json.loads(out.read_text())
    assert seen["errors"] == []
    assert seen["answers"]
    assert all(loaded == staff for loaded, staff, _ in seen["answers"])  # never half a night
    assert {files for _, _, files in seen["answers"]} > {1}  # the reader saw nights commit


def test_an_extension_file_changed_after_its_signature_was_checked_is_checked_again(tmp_path, monkeypatch):
    """A process checks the extensions' signatures once, then loads the same files unchecked: a file changed since
    (here, a byte in the middle of a copy) is checked again, and refused."""
    copies = []
    for path in lake_module.lake_extensions():
        copies.append(tmp_path / path.name)
        shutil.copyfile(path, copies[-1])
    monkeypatch.setattr(lake_module, "lake_extensions", lambda: tuple(copies))
    monkeypatch.setattr(lake_module, "_VERIFIED", {})
    nowhere = Lake("dbname=none host=127.0.0.1 port=1", str(tmp_path / "lake"), "tanuyen")
    with pytest.raises(duckdb.Error, match=r"(?i)postgres|connect"):  # loaded and checked; no catalog there
        lake_module.open_lake(nowhere)
    assert set(lake_module._VERIFIED) == set(copies)
    with copies[1].open("r+b") as extension:
        extension.seek(copies[1].stat().st_size // 2)
        byte = extension.read(1)
        extension.seek(-1, os.SEEK_CUR)
        extension.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(duckdb.Error, match=r"(?i)signature"):
        lake_module.open_lake(nowhere)

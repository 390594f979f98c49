"""The warehouse keeps its promises: every row in one place, counts that add up, re-runs that change nothing,
history kept, and an analysts' copy without national IDs."""

import datetime as dt
import os
import re
import shutil

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import AS_OF, FIXTURES, NIGHT_STAGES, counts, person, run_once, write_template_workbook
from flows import pipeline
from flows.cli.init import create_workspace
from flows.docs import render_warehouse
from flows.inbox import looks_like_a_copy
from flows.pipeline import VALIDATION_BATCH_FILES
from schemas.judging.issues import ISSUE_SCHEMA, REJECTED_SCHEMA, Problem
from schemas.judging.results import staff_columns
from schemas.rules.vocabulary import vocabularies
from schemas.staff import fields_of_kind
from warehouse.database import connect, ddl_files, migrate, table_files, view_files
from warehouse.load import Submission, append_issues, stage_batch, store_submissions
from warehouse.publish import CODE_COLUMNS, ID_DIGITS, ID_MASK, ID_NUMBER, MASK_ID_NUMBERS, PUBLISHED_TABLES, publish
from warehouse.tables import describe_tables, describe_views


@pytest.fixture
def workspace_root(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "birth_date_impossible.csv", root / "inbox" / "UB-TP" / "ds.csv")
    shutil.copy(FIXTURES / "missing_birth_date_column.csv", root / "inbox" / "UB-YT" / "ds.csv")
    (root / "inbox" / "UB-KT" / "hong.xlsx").write_bytes(b"not a workbook")
    rows = [person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", position="Trưởng phòng")]
    write_template_workbook(root / "inbox" / "UB-KT" / "ds.xlsx", rows)
    return root


def test_core_staff_holds_exactly_the_record_the_schemas_produce(tmp_path):
    with connect(tmp_path / "w.duckdb") as connection:
        assert len(migrate(connection)) == len(ddl_files())
        assert migrate(connection) == []
        columns = [r[0] for r in connection.execute("describe core.staff").fetchall()]
    # Columns added by later DDL files come last, so compare the sets and their size.
    assert sorted(columns) == sorted(["submission_id", "agency_code", *staff_columns()])
    assert len(columns) == len(staff_columns()) + 2


def test_every_row_lands_in_exactly_one_place(workspace_root):
    workspace = run_once(workspace_root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            """
            select s.file_name, s.agency_code, s.status, s.rows_read, s.rows_loaded, s.rows_rejected,
                (select count(*) from core.staff c where c.submission_id = s.submission_id),
                (select count(*) from dq.rejected_rows r where r.submission_id = s.submission_id)
            from dq.submissions s order by s.agency_code, s.file_name
            """
        ).fetchall()
    assert rows == [
        ("ds.xlsx", "UB-KT", "accepted", 1, 1, 0, 1, 0),
        ("hong.xlsx", "UB-KT", "rejected", 0, 0, 0, 0, 0),
        ("ds.csv", "UB-NV", "accepted", 3, 3, 0, 3, 0),
        ("ds.csv", "UB-TP", "accepted_with_errors", 3, 2, 1, 2, 1),
        ("ds.csv", "UB-YT", "rejected", 2, 0, 2, 0, 2),
    ]


def test_running_the_same_night_again_adds_only_a_run_record(workspace_root):
    workspace = run_once(workspace_root)
    before = counts(workspace.warehouse)
    run_once(workspace_root)
    after = counts(workspace.warehouse)
    # The steps called directly time the load and what follows it, not discovering and judging.
    stages = before["dq.run_stages"] + len(NIGHT_STAGES) - len(("discover", "judge", "earlier_work"))
    assert after == {**before, "dq.runs": before["dq.runs"] + 1, "dq.run_stages": stages}


def test_indicators_are_computed_again_only_when_what_they_come_from_changed(workspace_root):
    def computed(workspace) -> tuple:
        with connect(workspace.warehouse, read_only=True) as connection:
            inputs = connection.execute("select computed_at from meta.indicator_inputs").fetchall()
            groups = connection.execute(
                "select scope_code from analytics.indicators where scope = 'group' and indicator_code = 'staff.total' "
                "and value > 0 order by all"
            ).fetchall()
        return inputs, groups

    workspace = run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    first = computed(workspace)
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    assert computed(workspace) == first  # the same night again: nothing recomputed
    catalogue = workspace.agencies.read_text(encoding="utf-8")
    workspace.agencies.write_text(catalogue.replace("UB-TP,Phòng Tư pháp,government,", "UB-TP,Phòng Tư pháp,party,"))
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    again = computed(workspace)
    assert again[0] != first[0]
    assert again[1] == [("government",), ("party",)] and first[1] == [("government",)]


def test_indicators_keep_their_history_per_as_of_date(workspace_root):
    workspace = run_once(workspace_root, as_of=AS_OF)
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    with connect(workspace.published, read_only=True) as connection:
        rows = connection.execute(
            "select as_of_date, value from analytics.indicators "
            "where scope = 'city' and indicator_code = 'staff.total' order by as_of_date"
        ).fetchall()
    # The CSVs carry no as-of date, so they describe the day they were received (15/01/2025); UB-NV and UB-TP
    # list two of the same people, who count once in the city.
    assert rows == [(AS_OF, 1.0), (dt.date(2025, 1, 31), 4.0)]


def test_views_have_unique_keys(workspace_root):
    workspace = run_once(workspace_root)
    with connect(workspace.published, read_only=True) as connection:
        for view, key in (
            ("analytics.staff_current", "submission_id, sheet, row_number"),
            ("analytics.submission_summary", "submission_id"),
            ("analytics.indicators", "as_of_date, scope, scope_code, indicator_code"),
            ("analytics.indicator_changes", "scope, scope_code, indicator_code"),
            ("analytics.indicator_targets", "as_of_date, scope, scope_code, indicator_code"),
        ):
            duplicates = connection.execute(f"select count(*) - count(distinct ({key})) from {view}").fetchall()[0][0]
            assert duplicates == 0, view


def test_the_analysts_copy_holds_no_national_id(workspace_root):
    (workspace_root / "inbox" / "UB-TCKH" / "ds.csv").write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Đối tượng,Ghi chú,Trình độ chuyên môn\n"
        "1,Đào Văn 2,01/01/1986,Nam,074 086 000 456,Công chức,,\n"
        "2,Đào Văn Bốn,01/01/1986,Nam,281234567,Công chức,CMND cũ 271234567,\n"
        '3,Đào Văn 5,01/01/1987,Nam,"074,178,496,941",Công chức,,\n'
        "4,Đào Văn Sáu,01/01/1988,Nam,074088000601,Công chức,,\n"
        "5,Đào Văn Bảy,01/01/1989,Nam,074089000702,Công chức,,\n"
        "6,Đào Văn Tám,01/01/1990,Nam,74090000803,Công chức,,\n"
        # An ID typed where a code is read: the code stays blank, and the cell as typed is masked.
        "7,Đào Văn Chín,01/01/1991,Nam,074091000904,Công chức,,074 091 000 905\n",
        encoding="utf-8",
    )
    workspace = run_once(workspace_root)
    ids = {
        "074085000123",
        "074190000456",
        "079075000789",
        "074080000999",
        "074086000456",
        "281234567",
        "271234567",
        "074178496941",
        "74090000803",  # an ID without its leading zero: not ID-shaped, but the value of an issue about the ID
        "074091000904",
        "074091000905",
    }
    connection = duckdb.connect(str(workspace.published), read_only=True)
    try:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema in ('core', 'dq', 'analytics')"
        ).fetchall()
        assert ("core", "staff", "national_id") not in columns
        texts = []
        for schema, table, column in columns:
            values = connection.execute(f'select distinct "{column}" from {schema}.{table}').fetchall()
            texts += [re.sub(r"[^0-9A-Za-z]", "", value) for (value,) in values if value]
    finally:
        connection.close()
    assert [text for text in texts if any(i in text for i in ids)] == []
    with connect(workspace.warehouse, read_only=True) as connection:
        assert connection.execute("select count(national_id) from core.staff").fetchall()[0][0] == 11


def test_the_columns_published_unmasked_as_codes_hold_only_staffqs_codes(workspace_root):
    workspace = run_once(workspace_root)
    with connect(workspace.published, read_only=True) as connection:
        for table, columns in CODE_COLUMNS.items():
            types = dict(connection.execute(f"select column_name, column_type from (describe {table})").fetchall())
            assert {types[column] for column in columns} == {"VARCHAR"}, table
        for field in fields_of_kind("vocab"):
            found = connection.execute(f"select distinct {field} from core.staff where {field} is not null").fetchall()
            assert {code for (code,) in found} <= set(vocabularies()[field].canonical), field


def test_a_rejected_file_never_replaces_an_agencys_current_list(workspace_root):
    workspace = run_once(workspace_root)
    (workspace_root / "inbox" / "UB-NV" / "ds-moi.csv").write_text("not,a,staff list\n", encoding="utf-8")
    run_once(workspace_root)
    with connect(workspace.published, read_only=True) as connection:
        current = connection.execute(
            "select count(*) from analytics.staff_current where agency_code = 'UB-NV'"
        ).fetchall()[0][0]
    assert current == 3


def test_every_indicator_written_is_in_the_catalogue(workspace_root):
    workspace = run_once(workspace_root)
    with connect(workspace.published, read_only=True) as connection:
        missing = connection.execute(
            "select distinct indicator_code from analytics.indicators "
            "anti join analytics.indicator_catalog using (indicator_code)"
        ).fetchall()
    assert missing == []


def test_an_older_list_is_kept_as_history_with_a_warning(workspace_root):
    workspace = run_once(workspace_root)
    rows = [person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999")]
    write_template_workbook(workspace_root / "inbox" / "UB-NV" / "ds-cu.xlsx", rows)
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    with connect(workspace.published, read_only=True) as connection:
        warnings = connection.execute(
            "select file_name, check_code, message_vi from dq.issues where check_code = 'file-as-of-older'"
        ).fetchall()
        current = connection.execute(
            "select count(*) from analytics.staff_current where agency_code = 'UB-NV'"
        ).fetchall()[0][0]
    assert warnings == [
        (
            "ds-cu.xlsx",
            "file-as-of-older",
            "Danh sách tính đến ngày 31/12/2024, cũ hơn danh sách hiện hành (ngày 15/01/2025); tệp được lưu vào "
            "lịch sử, không thay thế danh sách hiện hành.",
        )
    ]
    assert current == 3


def test_a_file_refused_for_an_unknown_agency_loads_once_the_agency_is_catalogued(workspace_root):
    folder = workspace_root / "inbox" / "UB-MOI"
    folder.mkdir()
    shutil.copy(FIXTURES / "kitchen_sink.csv", folder / "ds.csv")
    workspace = run_once(workspace_root)
    with (workspace_root / "agencies.csv").open("a", encoding="utf-8") as catalogue:
        catalogue.write("UB-MOI,Phòng mới,government,UB,2023-04-10,,monthly,,civil_servant,\n")
    run_once(workspace_root)
    run_once(workspace_root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select status, rows_loaded from dq.submissions where agency_code = 'UB-MOI' order by received_at, status"
        ).fetchall()
    assert sorted(rows) == [("accepted_with_errors", 22), ("rejected", 0)]


@pytest.mark.parametrize("batch_files", [200, 1], ids=["one batch", "a batch per file, judged by several processes"])
def test_a_second_copy_in_the_same_run_is_a_duplicate_only_of_a_loaded_file(workspace_root, monkeypatch, batch_files):
    monkeypatch.setattr(pipeline, "VALIDATION_BATCH_FILES", batch_files)
    inbox = workspace_root / "inbox"
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-NV" / "ds (1).csv")
    shutil.copy(FIXTURES / "missing_birth_date_column.csv", inbox / "UB-YT" / "ds (1).csv")
    workspace = run_once(workspace_root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select agency_code, file_name, status from dq.submissions "
            "where agency_code in ('UB-NV', 'UB-YT') order by all"
        ).fetchall()
        # The copy was judged and staged like any file before it was told a duplicate: none of it is loaded.
        stored = connection.execute(
            "select (select count(*) from core.staff), (select count(*) from dq.rejected_rows), "
            "(select count(*) from dq.issues), sum(rows_loaded), sum(rows_rejected), sum(errors + warnings) "
            "from dq.submissions"
        ).fetchall()[0]
    assert stored[:3] == stored[3:]
    assert rows == [
        ("UB-NV", "ds (1).csv", "duplicate"),
        ("UB-NV", "ds.csv", "accepted"),
        ("UB-YT", "ds (1).csv", "rejected"),
        ("UB-YT", "ds.csv", "rejected"),
    ]


def test_of_the_same_bytes_sent_twice_the_copy_is_the_duplicate_else_the_later_one(workspace_root):
    inbox = workspace_root / "inbox" / "UB-NV"
    for name in ("Copy of ds.csv", "ds - Copy.csv", "ds - Bản sao.csv"):
        shutil.copy(inbox / "ds.csv", inbox / name)
    # Two names neither of which looks like a copy: the one written later is.
    later, earlier = inbox / "a.csv", inbox / "b.csv"
    for path, modified in ((later, 2_000_000_000), (earlier, 1_000_000_000)):
        shutil.copy(FIXTURES / "name_with_digits.csv", path)
        os.utime(path, (modified, modified))
    workspace = run_once(workspace_root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select file_name, status from dq.submissions where agency_code = 'UB-NV' order by all"
        ).fetchall()
    assert rows == [
        ("Copy of ds.csv", "duplicate"),
        ("a.csv", "duplicate"),
        ("b.csv", "accepted_with_errors"),
        ("ds - Bản sao.csv", "duplicate"),
        ("ds - Copy.csv", "duplicate"),
        ("ds.csv", "accepted"),
    ]


@pytest.mark.parametrize(
    ("name", "is_copy"),
    [
        ("ds (1).xlsx", True),
        ("ds(12).xlsx", True),
        ("Copy of ds.xlsx", True),
        ("ds - Copy (2).xlsx", True),
        ("Bản sao của ds.xlsx", True),
        ("ds.xlsx", False),
        ("DS CBCCVC (2024).xlsx", False),
        ("DS (31122024).xlsx", False),
    ],
)
def test_a_copys_name_is_told_from_a_name_with_a_year_in_brackets(name, is_copy):
    assert looks_like_a_copy(name) is is_copy


def test_a_night_whose_only_new_file_is_a_copy_of_a_loaded_one_records_a_duplicate(workspace_root):
    run_once(workspace_root)
    shutil.copy(FIXTURES / "valid_three_people.csv", workspace_root / "inbox" / "UB-NV" / "ds - copy.csv")
    workspace = run_once(workspace_root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select file_name, status, rows_read from dq.submissions where agency_code = 'UB-NV' order by all"
        ).fetchall()
    assert rows == [("ds - copy.csv", "duplicate", 0), ("ds.csv", "accepted", 3)]


def test_the_analysts_copy_built_on_last_nights_equals_one_built_from_nothing(workspace_root, tmp_path):
    """The nightly copy takes only what changed into the previous one: a night that adds lists, warns an older
    list (a person on two lists) and changes indicators already published must give what a copy from scratch gives."""
    workspace = run_once(workspace_root)
    inbox = workspace_root / "inbox"
    shutil.copy(FIXTURES / "names_in_nfd.csv", inbox / "UB-NV" / "ds-moi.csv")
    (inbox / "UB-VP" / "ds.csv").write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Chức vụ,Đối tượng,Ghi chú\n"
        "1,Phạm Văn Dũng,01/05/1980,Nam,074080000999,Chuyên viên,Công chức,\n",
        encoding="utf-8",
    )
    run_once(workspace_root)  # the same night again, with more lists: its indicators change
    with connect(workspace.warehouse) as connection:
        publish(connection, tmp_path / "from-nothing.duckdb")
    nightly, from_nothing = published_rows(workspace.published), published_rows(tmp_path / "from-nothing.duckdb")
    assert nightly == from_nothing
    assert any("person-in-other-agency" in row for row in nightly["dq.issues"])


def test_a_night_copies_only_new_rows_into_the_previous_copy_unless_another_version_wrote_it(workspace_root):
    workspace = run_once(workspace_root)

    def mark_and_run(format_written: str | None = None) -> list:
        with duckdb.connect(str(workspace.published)) as connection:
            connection.execute("update core.staff set full_name = 'marked' where row_number = 4")
            if format_written:
                connection.execute("update meta.publish_format set format = ?", [format_written])
        # The mark passes for what was published (a copy written to by anyone else is built from nothing).
        marked = workspace.published.stat()
        with connect(workspace.warehouse) as connection:
            connection.execute(
                "update meta.published_copy set size_bytes = ?, modified_ns = ?", [marked.st_size, marked.st_mtime_ns]
            )
        run_once(workspace_root, as_of=dt.date(2025, 1, 31))
        with connect(workspace.published, read_only=True) as connection:
            return connection.execute(
                "select distinct full_name = 'marked' from core.staff where row_number = 4"
            ).fetchall()

    assert mark_and_run() == [(True,)]  # built on: the row already published was not copied again
    assert mark_and_run(format_written="an older staffq") == [(False,)]  # built from nothing


def test_a_night_of_thousands_of_files_stores_their_issues_within_duckdbs_memory_limit(tmp_path):
    """Each file's issues and rejected rows are a few rows, staged a batch of files at a time; DuckDB must get them
    in pieces of batches, not of files (it took a block of its memory per piece)."""
    issue = {
        "sheet": "DS",
        "row_number": 5,
        "check_code": "x",
        "severity": "error",
        "message_vi": "-",
        "message_en": "-",
    }
    problem = Problem("x", "error", 1, "-", whole_file=False)

    def submission(number: int) -> Submission:
        return Submission(
            submission_id=f"s{number:05d}",
            run_id="r",
            agency_code=f"A{number:05d}",
            file_name="ds.xlsx",
            file_sha256=f"{number:064d}",
            archive_path=None,
            received_at=dt.datetime(2025, 1, 15),
            as_of_date=dt.date(2024, 12, 31),
            status="rejected",
            rows_loaded=0,
            rows_rejected=1,
            problems=(problem,),
        )

    submissions = [submission(number) for number in range(3_000)]
    rejected = pl.DataFrame([{"sheet": "DS", "row_number": 5, "raw": "{}"}], schema=REJECTED_SCHEMA)
    issues = pl.DataFrame([issue], schema=ISSUE_SCHEMA)
    for start in range(0, len(submissions), VALIDATION_BATCH_FILES):
        files = [(s, pl.DataFrame(), rejected, issues) for s in submissions[start : start + VALIDATION_BATCH_FILES]]
        stage_batch(tmp_path / "staging", f"{start // VALIDATION_BATCH_FILES:06d}", files)
    with connect(tmp_path / "warehouse.duckdb", memory_limit="64MB") as connection:
        migrate(connection)
        store_submissions(connection, submissions, tmp_path / "staging")
        assert connection.execute("select count(*), count(distinct submission_id) from dq.issues").fetchall() == [
            (3_000, 3_000)
        ]
        assert connection.execute("select sum(errors), sum(rows_rejected) from dq.submissions").fetchall() == [
            (3_000, 3_000)
        ]


def test_an_analysts_copy_that_is_not_a_database_any_more_is_built_again(workspace_root):
    workspace = run_once(workspace_root)
    workspace.published.write_bytes(b"overwritten by another program")
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    assert published_rows(workspace.published)["core.staff"]


def published_rows(path):
    with connect(path, read_only=True) as connection:
        return {table: sorted(map(repr, connection.execute(f"from {table}").fetchall())) for table in PUBLISHED_TABLES}


def test_a_person_on_two_agencies_lists_is_flagged_to_both_and_counted_once(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    inbox = root / "inbox"
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-NV" / "ds.csv")
    workspace = run_once(root)
    (inbox / "UB-VP" / "ds.csv").write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Chức vụ,Đối tượng,Ghi chú\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,074085000123,Chuyên viên,Công chức,\n"
        "2,Trần Thị Bình,02/03/1990,Nữ,074190000456,Chuyên viên,Công chức,Kiêm nhiệm tại Phòng Nội vụ\n",
        encoding="utf-8",
    )
    run_once(root, as_of=dt.date(2025, 1, 31))
    with connect(workspace.published, read_only=True) as connection:
        flagged = connection.execute(
            "select agency_code, row_number, list_number, person_name, message_vi from dq.issues "
            "where check_code = 'person-in-other-agency' order by agency_code"
        ).fetchall()
        totals = dict(
            connection.execute(
                "select scope_code, value from analytics.indicators where indicator_code = 'staff.total' "
                "and as_of_date = date '2025-01-31' and scope_code in ('city', 'UB-NV', 'UB-VP')"
            ).fetchall()
        )
        warnings = connection.execute(
            "select agency_code, warnings from dq.submissions where agency_code in ('UB-NV', 'UB-VP') order by 1"
        ).fetchall()
    assert flagged == [
        (
            "UB-NV",
            2,
            "1",
            "Nguyễn Văn An",
            "Người này cũng có trong danh sách hiện hành của Văn phòng HĐND và UBND (UB-VP). Nếu là kiêm "
            'nhiệm hoặc biệt phái, hãy ghi rõ ở cột "Luân chuyển, điều động trong năm" hoặc "Ghi chú".',
        ),
        (
            "UB-VP",
            2,
            "1",
            "Nguyễn Văn An",
            "Người này cũng có trong danh sách hiện hành của Phòng Nội vụ (UB-NV). Nếu là kiêm "
            'nhiệm hoặc biệt phái, hãy ghi rõ ở cột "Luân chuyển, điều động trong năm" hoặc "Ghi chú".',
        ),
    ]
    assert totals == {"city": 3.0, "UB-NV": 3.0, "UB-VP": 2.0}
    assert warnings == [("UB-NV", 2), ("UB-VP", 2)]  # file-as-of-missing, then this one


def test_issues_found_later_are_numbered_after_each_lists_own_and_counted_in_one_go():
    connection = duckdb.connect()
    migrate(connection)
    for submission_id in ("A", "B"):
        connection.execute(
            "insert into dq.submissions values (?, 'r', ?, 'ds.csv', 'h', null, now(), date '2024-12-31', "
            "'accepted', 1, 1, 0, 0, 1, null, null)",
            [submission_id, f"UB-{submission_id}"],
        )
    connection.execute(
        "insert into dq.issues (submission_id, issue_number, agency_code, file_name, check_code, severity, "
        "message_vi, message_en) values ('A', 7, 'UB-A', 'ds.csv', 'x', 'warning', 'v', 'e')"
    )
    late = pl.DataFrame(
        [
            {"submission_id": "B", "check_code": "y", "severity": "error", "message_vi": "b1", "message_en": "b1"},
            {"submission_id": "A", "check_code": "y", "severity": "warning", "message_vi": "a1", "message_en": "a1"},
            {"submission_id": "A", "check_code": "y", "severity": "error", "message_vi": "a2", "message_en": "a2"},
        ],
        schema={"submission_id": pl.String, **ISSUE_SCHEMA},
    )
    append_issues(connection, late)
    numbered = connection.execute(
        "select submission_id, issue_number, agency_code, message_vi from dq.issues order by all"
    ).fetchall()
    assert numbered == [("A", 7, "UB-A", "v"), ("A", 8, "UB-A", "a1"), ("A", 9, "UB-A", "a2"), ("B", 1, "UB-B", "b1")]
    counted = connection.execute("select submission_id, errors, warnings from dq.submissions order by 1").fetchall()
    assert counted == [("A", 1, 2), ("B", 1, 1)]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".xlsx", ".xls", ".csv"]))
def test_any_bytes_in_one_agencys_folder_never_stop_the_others(tmp_path_factory, data, suffix):
    root = tmp_path_factory.mktemp("ws") / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    (root / "inbox" / "UB-TP" / f"garbage{suffix}").write_bytes(data)
    workspace = run_once(root)
    with connect(workspace.warehouse, read_only=True) as connection:
        rows = connection.execute(
            "select agency_code, status, rows_loaded, errors > 0 from dq.submissions order by agency_code"
        ).fetchall()
    assert rows == [("UB-NV", "accepted", 3, False), ("UB-TP", "rejected", 0, True)]


def test_indicator_changes_compare_with_the_previous_date_and_the_start_of_the_year(workspace_root):
    workspace = run_once(workspace_root, as_of=AS_OF)
    run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    with connect(workspace.published, read_only=True) as connection:
        row = connection.execute(
            "select as_of_date, count, previous_as_of_date, previous_count, change_since_previous, "
            "year_start_as_of_date, change_since_year_start from analytics.indicator_changes "
            "where scope = 'city' and indicator_code = 'staff.total'"
        ).fetchall()
    assert row == [(dt.date(2025, 1, 31), 4, AS_OF, 1, 3, AS_OF, 3)]


def test_the_workspace_positions_catalogue_decides_who_leads(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    with (root / "positions.csv").open("a", encoding="utf-8") as catalogue:
        catalogue.write("chuyen vien,government,department,head,true,Chuyên viên\n")
    workspace = run_once(root)
    with connect(workspace.warehouse, read_only=True) as connection:
        leaders = connection.execute("select count(*) filter (where is_leader) from core.staff").fetchall()[0][0]
    assert leaders == 3


def test_a_run_for_a_past_night_receives_its_files_that_night():
    started = dt.datetime(2026, 11, 27, 1, 30)
    assert pipeline.received_at(started, dt.date(2024, 12, 31)) == dt.datetime(2024, 12, 31, 1, 30)
    assert pipeline.received_at(started, dt.date(2026, 11, 27)) == started


def test_indicator_changes_compare_with_the_start_of_the_configured_term(workspace_root, monkeypatch):
    monkeypatch.setenv("STAFFQ_VALIDATION__TERM_START", "2025-02-01")
    for as_of in (AS_OF, dt.date(2025, 1, 31), dt.date(2025, 2, 28)):
        workspace = run_once(workspace_root, as_of=as_of)
    with connect(workspace.published, read_only=True) as connection:
        row = connection.execute(
            "select previous_as_of_date, year_start_as_of_date, term, term_start_as_of_date, term_start_count, "
            "change_since_term_start from analytics.indicator_changes "
            "where scope = 'city' and indicator_code = 'staff.total'"
        ).fetchall()
    assert row == [(dt.date(2025, 1, 31), AS_OF, "2025–2030", dt.date(2025, 1, 31), 4, 0)]


def test_indicators_stored_before_their_index_went_are_kept(tmp_path):
    """015 rebuilds analytics.indicators without its primary key; a warehouse migrated from before keeps its rows."""
    with connect(tmp_path / "w.duckdb") as connection:
        connection.execute("create schema meta")
        connection.execute("create table meta.migrations (name varchar primary key, applied_at timestamp not null)")
        for path in ddl_files():
            if path.name < "015":
                connection.execute(path.read_text(encoding="utf-8"))
                connection.execute("insert into meta.migrations values (?, now())", [path.name])
        connection.execute(
            "insert into analytics.indicators values "
            "(date '2024-12-31', 'city', 'city', 'staff.total', 3, null, 3, timestamp '2025-01-01 01:00'), "
            "(date '2025-01-31', 'agency', 'UB-NV', 'leaders.women', 1, 2, 0.5, timestamp '2025-02-01 01:00')"
        )
        assert migrate(connection)[0] == "015_indicators_without_index.sql"
        rows = connection.execute("from analytics.indicators order by as_of_date").fetchall()
        kinds = connection.execute(
            "select constraint_type from duckdb_constraints() "
            "where schema_name = 'analytics' and table_name = 'indicators'"
        ).fetchall()
    assert rows == [
        (dt.date(2024, 12, 31), "city", "city", "staff.total", 3, None, 3.0, dt.datetime(2025, 1, 1, 1, 0)),
        (dt.date(2025, 1, 31), "agency", "UB-NV", "leaders.women", 1, 2, 0.5, dt.datetime(2025, 2, 1, 1, 0)),
    ]
    assert ("PRIMARY KEY",) not in kinds and ("CHECK",) in kinds and kinds.count(("NOT NULL",)) == 5


def comments(path) -> dict[tuple[str, ...], str | None]:
    """Every table, view, table macro and column of a database file, with its comment."""
    with duckdb.connect(str(path), read_only=True) as connection:
        found = connection.execute(
            """
            select 'table', schema_name, table_name, null, comment from duckdb_tables()
            where database_name = current_database()
            union all
            select 'view', schema_name, view_name, null, comment from duckdb_views()
            where database_name = current_database() and not internal
            union all
            select distinct 'macro', schema_name, function_name, null, comment from duckdb_functions()
            where database_name = current_database() and function_type = 'table_macro'
            union all
            select 'column', schema_name, table_name, column_name, comment from duckdb_columns()
            where database_name = current_database()
            """
        ).fetchall()
    return {(kind, f"{schema}.{name}", column or ""): comment for kind, schema, name, column, comment in found}


def test_the_analysts_copy_describes_every_table_view_macro_and_column_as_the_docs_do(workspace_root):
    workspace = run_once(workspace_root)
    described = comments(workspace.published)
    assert {kind for kind, *_ in described} == {"table", "view", "macro", "column"}
    assert [key for key, comment in described.items() if not comment] == []
    assert described[("column", "analytics.staff_current", "age_years")] == (
        "Tuổi — Completed years at the as-of date. (derived)"
    )
    assert described[("table", "core.agencies", "")] == (
        "Danh mục cơ quan, đơn vị — one row per agency version; key (agency_code, valid_from)."
    )
    docs = render_warehouse()
    for (kind, name, column), comment in described.items():
        heading = f"## `{name}(" if kind == "macro" else f"## `{name}`"
        section = docs.split(heading)[1].split("\n## ")[0]
        if kind == "column":
            escaped = comment.replace("|", "\\|")
            lines = section.splitlines()
            assert any(line.startswith(f"| `{column}` |") and line.endswith(f" | {escaped} |") for line in lines)
        else:
            assert f"\n\n{comment}\n\n" in section
    # The writer's own warehouse describes itself too; only its record of migrations is bookkeeping.
    private = comments(workspace.warehouse)
    assert [key for key, comment in private.items() if not comment and "meta.migrations" not in key] == []


def test_a_night_run_again_leaves_the_descriptions_as_they_were(workspace_root):
    workspace = run_once(workspace_root)
    before = comments(workspace.published), published_rows(workspace.published)
    run_once(workspace_root)
    after = comments(workspace.published), published_rows(workspace.published)
    assert len(after[1].pop("dq.runs")) == len(before[1].pop("dq.runs")) + 1
    assert after == before


def test_staff_current_names_each_persons_agency_and_its_group(workspace_root):
    workspace = run_once(workspace_root)
    with connect(workspace.published, read_only=True) as connection:
        rows = connection.execute(
            "select distinct agency_code, agency_name, agency_group from analytics.staff_current order by all"
        ).fetchall()
    assert rows == [
        ("UB-KT", "Phòng Kinh tế", "government"),
        ("UB-NV", "Phòng Nội vụ", "government"),
        ("UB-TP", "Phòng Tư pháp", "government"),
    ]


COUNT_COLUMN = re.compile(
    r"(^|_)(count|people|numerator|denominator|errors|warnings|issues)$"
    r"|^headcount$|^(rows|files)_|^change_since_|^col_\d+$"
)


def test_every_count_of_people_or_things_is_a_whole_number():
    documented = describe_tables(table_files()) + describe_views(ddl_files(), view_files())
    counts_found = [
        (doc.name, column, data_type)
        for doc in documented
        for column, data_type in doc.columns
        if COUNT_COLUMN.search(column)
    ]
    assert len(counts_found) > 60
    assert [found for found in counts_found if found[2] not in ("BIGINT", "INTEGER")] == []
    shares = [
        (doc.name, column, data_type) for doc in documented for column, data_type in doc.columns if "share" in column
    ]
    assert {data_type for *_, data_type in shares} == {"DOUBLE"}


def test_indicator_changes_at_any_date_matches_the_view_at_the_latest(workspace_root):
    run_once(workspace_root)
    workspace = run_once(workspace_root, as_of=dt.date(2025, 1, 31))
    with connect(workspace.published, read_only=True) as connection:
        view = connection.execute("from analytics.indicator_changes order by all").fetchall()
        latest = connection.execute("from analytics.indicator_changes_at(date '2025-01-31') order by all").fetchall()
        between = connection.execute("from analytics.indicator_changes_at(date '2025-01-15') order by all").fetchall()
        earlier = connection.execute(
            "select as_of_date, count, share, previous_as_of_date, previous_count, change_since_previous "
            "from analytics.indicator_changes_at(date '2025-01-15') "
            "where scope = 'city' and indicator_code in ('staff.total', 'leaders.women') order by indicator_code"
        ).fetchall()
        before_any = connection.execute("from analytics.indicator_changes_at(date '2024-01-01')").fetchall()
    assert view == latest and len(view) > 100
    assert between != latest and len(between) > 100
    # The night before 15 January holds one person, a man who leads: 0 of 1 leaders are women.
    assert earlier == [(AS_OF, 0, 0.0, None, None, None), (AS_OF, 1, None, None, None, None)]
    assert before_any == []


@pytest.fixture(scope="module")
def masking():
    """A connection with the analysts' copy's masking macro, applied to one text at a time."""
    connection = duckdb.connect()
    connection.execute(MASK_ID_NUMBERS)
    yield lambda text: connection.execute("select mask_id_numbers(?)", [text]).fetchall()[0][0]
    connection.close()


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("CCCD 074086000456, đã đổi", "CCCD ************, đã đổi"),
        ("số cũ 0741 2345 6789.", "số cũ ************."),
        ("CMND 271.234.567 và 074-178-496-941", "CMND ************ và ************"),
        ("074,178,496,941", "************"),
        ("074086000456 0912345678", "************ 0912345678"),
        ("DS_CBCCVC_PhuongKhanhBinh_31122024.xlsx", "DS_CBCCVC_PhuongKhanhBinh_31122024.xlsx"),
        ("Ngày 31/12/2024, 31.12.2024, 2024-12-31, 31122024", "Ngày 31/12/2024, 31.12.2024, 2024-12-31, 31122024"),
        ("SN-TTYT gửi 2.886 người, 0912 345 678", "SN-TTYT gửi 2.886 người, 0912 345 678"),
        (None, None),
        ("", ""),
    ],
)
def test_the_copy_masks_id_shaped_numbers_and_nothing_else(masking, text, published):
    assert masking(text) == published
    assert text is None or re.sub(ID_NUMBER, ID_MASK, text) == published


_GROUPING = st.sampled_from(["", " ", ".", "-", ","])


@st.composite
def id_numbers(draw) -> tuple[str, str]:
    """A 9- or 12-digit ID as typed, grouped at random, and its digits."""
    digits = draw(st.sampled_from(ID_DIGITS).flatmap(lambda n: st.from_regex(rf"\A[0-9]{{{n}}}\Z")))
    typed = digits[0] + "".join(draw(_GROUPING) + digit for digit in digits[1:])
    return typed, digits


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=id_numbers(), before=st.text(alphabet="ab :/(_\n", max_size=6), after=st.text(alphabet="ab :/)_\n"))
def test_an_id_anywhere_in_free_text_is_masked(masking, number, before, after):
    typed, digits = number
    masked = masking(f"{before}{typed}{after}")
    assert masked == f"{before}{ID_MASK}{after}"
    assert digits not in re.sub(r"[^0-9]", "", masked)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="0123456789 .,-/_aĐ\n", max_size=40))
def test_python_and_the_copy_mask_the_same_text_the_same_way(masking, text):
    assert masking(text) == re.sub(ID_NUMBER, ID_MASK, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.from_regex(r"\A[0-9]{1,8}\Z"), max_size=6), st.lists(st.sampled_from(["_", "/", "a", "/ ", " x "])))
def test_text_with_no_run_of_nine_digits_is_left_as_it_is(masking, numbers, joins):
    text = "".join(number + (joins[i] if i < len(joins) else "_") for i, number in enumerate(numbers))
    assert masking(text) == text

"""What the CLI prints: the same flat problem table everywhere, and the city's figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.masking import mask_personal_data, masked_issue
from warehouse.database import connect
from warehouse.queries import city_indicators, problem_submissions

# A run with more new files lists the files with problems first, this many, then the totals.
LISTED_FILES = 50
# Problems `staffq check` shows in its table unless asked for all of them.
CHECK_TABLE_ROWS = 100
# The source article's table: label, indicator code.
ARTICLE_ROWS = (
    ("Cán bộ, công chức, viên chức, người lao động", "staff.total"),
    ("Cán bộ lãnh đạo, quản lý (CBLĐ, QL)", "leaders.total"),
    ("  trình độ chuyên môn: tiến sĩ", "leaders.education.doctorate"),
    ("  thạc sĩ", "leaders.education.master"),
    ("  đại học", "leaders.education.university"),
    ("  cao đẳng", "leaders.education.college"),
    ("  trung cấp", "leaders.education.intermediate"),
    ("  lý luận chính trị: cao cấp, cử nhân", "leaders.political_theory.advanced"),
    ("  trung cấp", "leaders.political_theory.intermediate"),
    ("  sơ cấp / chưa qua đào tạo / chưa rõ", "leaders.political_theory.other"),
)
# Control characters but tab and newline, as the Unicode pictures of them (␁, ␛): an escape sequence in a clerk's
# cell would otherwise drive the terminal it is printed on.
_VISIBLE_CONTROLS = {code: 0x2400 + code for code in (*range(0x09), *range(0x0B, 0x20))} | {0x7F: 0x2421}


def literal(value: object) -> str:
    """Text from outside staffq (a cell, a header, a file name, a path, an error, the catalogue) for a rich markup
    string or table cell, shown as written: rich would read a clerk's `[/red]` as a closing tag, and fail."""
    return escape(str(value).translate(_VISIBLE_CONTROLS))


def run_summary(console: Console, outcome) -> None:
    """One line per new file, then the alerts sent."""
    _files_summary(console, outcome)
    channels = {(d["recipient"], d["kind"], d["channel"]) for d in outcome.deliveries}
    if channels:
        failed = outcome.failed_alerts
        style = "red" if failed else "green"
        console.print(f"[{style}]Alerts: {len(channels) - len(failed)} delivered, {len(failed)} failed.[/]")
        for record in failed:
            console.print(
                f"  [red]{literal(record['kind'])} for {literal(record['recipient'])} via "
                f"{literal(record['channel'])}:[/] {literal(record['error'])}"
            )
    if outcome.not_done:
        console.print(f"[red]Not done, left for the next run ({len(outcome.not_done)}):[/]")
        for failure in outcome.not_done:
            console.print(f"  {literal(failure)}")


def _files_summary(console: Console, outcome) -> None:
    """Every new file of a small run; of a large one, the files with problems first, up to LISTED_FILES, and
    the totals (the whole list is in the warehouse)."""
    submissions = outcome.submissions
    if not submissions:
        console.print(f"No new files ({outcome.files_seen} already loaded). Indicators as of {outcome.as_of}.")
        return
    listed = submissions
    if len(submissions) > LISTED_FILES:
        order = {"rejected": 0, "accepted_with_errors": 1, "duplicate": 3}
        listed = sorted(submissions, key=lambda s: (order.get(s.status, 2), -s.issue_count))[:LISTED_FILES]
    table = Table(title=f"Run {outcome.run_id}: {len(submissions)} new files", title_justify="left")
    for column in ("agency", "file", "status", "rows read", "loaded", "rejected", "issues"):
        table.add_column(column, justify="right" if column in ("rows read", "loaded", "rejected", "issues") else "left")
    for s in listed:
        style = {"rejected": "red", "accepted_with_errors": "yellow", "duplicate": "dim"}.get(s.status, "green")
        table.add_row(literal(s.agency_code), literal(s.file_name), f"[{style}]{s.status}[/]", *_counts([s]))
    if len(listed) < len(submissions):
        table.add_row("…", f"{len(submissions) - len(listed)} more files", "", "", "", "", "", end_section=True)
        table.add_row("[bold]total[/]", f"{len(submissions)} files", "", *_counts(submissions))
        console.print(table)
        console.print("Every file: analytics.submission_summary in the analysts' database.")
        return
    console.print(table)


def _counts(submissions: list) -> list[str]:
    read = sum(s.rows_read for s in submissions)
    loaded = sum(s.rows_loaded for s in submissions)
    rejected = sum(s.rows_rejected for s in submissions)
    issues = sum(s.issue_count for s in submissions)
    return [str(read), str(loaded), str(rejected), str(issues)]


def article_table(console: Console, published: Path, as_of: dt.date) -> None:
    """The article's figures, read back from the analysts' database."""
    with connect(published, read_only=True) as connection:
        values = city_indicators(connection, as_of)
    values["leaders.political_theory.other"] = sum(
        values.get(f"leaders.political_theory.{level}", 0) for level in ("elementary", "none", "unknown")
    )
    table = Table(title=f"Tân Uyên, as of {as_of:%d/%m/%Y} (from {literal(published.name)})", title_justify="left")
    table.add_column("chỉ tiêu")
    table.add_column("indicator_code")
    table.add_column("số người", justify="right")
    for label, code in ARTICLE_ROWS:
        value = values.get(code)
        table.add_row(label, code, "-" if value is None else f"{int(value):,}".replace(",", "."))
    console.print(table)


def rejections(console: Console, published: Path, outbox: Path) -> None:
    """Every file rejected or with rejected rows, its main problem, and where the feedback is."""
    with connect(published, read_only=True) as connection:
        problems = problem_submissions(connection)
    if not problems:
        console.print("Nothing was rejected.")
        return
    table = Table(title="Rejected data (sent back to the agencies)", title_justify="left")
    for column in ("agency", "file", "status", "rows rejected", "main problem"):
        table.add_column(column)
    for p in problems:
        table.add_row(
            literal(p["agency_code"]),
            literal(mask_personal_data(p["file_name"])),
            p["status"],
            f"{p['rows_rejected']}/{p['rows_read']}",
            literal(mask_personal_data(p["message"] or "")),
        )
    console.print(table)
    console.print(f"Feedback for each agency, in Vietnamese: {literal(outbox)}/<AGENCY>/<file>.loi.xlsx")


def next_steps(console: Console, directory: Path) -> None:
    """What to try after the demo."""
    folder = literal(directory)
    console.print("\nNext:")
    console.print(f"  duckdb {folder}/staffq.duckdb \"from analytics.indicators where scope = 'city'\"")
    console.print(f"  staffq run --workspace {folder} --as-of 2024-12-31   # again: nothing new, nothing changes")
    console.print(f"  staffq check {folder}/inbox/<AGENCY>/<file>  # what a clerk runs before sending")


def check_report(console: Console, path: Path, result, shown: int | None = CHECK_TABLE_ROWS) -> None:
    """The problem table for one file: row as in Excel, the file's own header, value, message. A list with
    thousands of problems shows its first `shown` (rich takes seconds to lay out thousands of rows, and a clerk
    reads a screen at a time) and says how to see the rest."""
    console.print(
        f"{literal(path.name)}: {result.status}, {result.rows_read} rows read, {result.rows_rejected} rejected"
    )
    if result.issues.is_empty():
        console.print("[green]No problems found.[/]")
        return
    table = Table(show_lines=False)
    for column in ("sheet", "row", "column", "value", "severity", "code", "message"):
        table.add_column(column, overflow="fold")
    issues = result.issues if shown is None else result.issues.head(shown)
    for issue in map(masked_issue, issues.iter_rows(named=True)):
        table.add_row(
            literal(issue["sheet"] or ""),
            "" if issue["row_number"] is None else str(issue["row_number"]),
            literal(issue["column_header"] or ""),
            literal(issue["value"] or ""),
            "[red]error[/]" if issue["severity"] == "error" else "[yellow]warning[/]",
            literal(issue["check_code"]),
            literal(issue["message_vi"]),
        )
    console.print(table)
    hidden = result.issues.height - issues.height
    if hidden:
        console.print(f"… and {hidden:,} more problems: --all shows every one, --json writes them for a program.")

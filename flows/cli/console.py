"""What the CLI prints: the run's files, the city's figures, what was returned, and `staffq check`'s verdict.

What reads the warehouse or judges a verdict imports polars, pandera and DuckDB where it is called: every command,
`--help` too, imports this module, and must not wait for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

# A run with more new files lists the files with problems first, this many, then the totals.
LISTED_FILES = 50
# Problems `staffq check` shows unless asked for all of them: a clerk reads a screen at a time.
CHECK_SHOWN_PROBLEMS = 100
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


# The statuses of dq.submissions, short enough for the run's table at 80 columns.
_STATUS_SHORT = {"accepted_with_errors": "rows returned"}


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
    # One line per file at 80 columns: a long name is cut, never folded over several lines; the counts stay whole.
    table = Table(
        title=f"Run {outcome.run_id}: {len(submissions)} new files", title_justify="left", box=box.SIMPLE_HEAD
    )
    counts = ("read", "loaded", "returned", "issues")
    status_width = max(len(_STATUS_SHORT.get(s.status, s.status)) for s in listed)
    # The file as it lies in the inbox (agency folder / name) gets what the other columns leave: each is padded by a
    # space on either side, and a separator stands between two columns and at both edges.
    others = sum(width + 3 for width in (status_width, *map(len, counts)))
    room = max(16, console.width - others - 4)
    table.add_column("inbox/", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in counts:
        table.add_column(column, justify="right", no_wrap=True)
    for s in listed:
        style = {"rejected": "red", "accepted_with_errors": "yellow", "duplicate": "dim"}.get(s.status, "green")
        status = _STATUS_SHORT.get(s.status, s.status)
        table.add_row(literal(_cut(f"{s.agency_code}/{s.file_name}", room)), f"[{style}]{status}[/]", *_counts([s]))
    if len(listed) < len(submissions):
        table.add_row(f"… {len(submissions) - len(listed)} more files", "", "", "", "", "", end_section=True)
        table.add_row(f"[bold]total[/]: {len(submissions)} files", "", *_counts(submissions))
        console.print(table)
        console.print("Every file: analytics.submission_summary in the analysts' database.")
        return
    console.print(table)


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, its end replaced by "…" when it is longer."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts(submissions: list) -> list[str]:
    read = sum(s.rows_read for s in submissions)
    loaded = sum(s.rows_loaded for s in submissions)
    rejected = sum(s.rows_rejected for s in submissions)
    issues = sum(s.issue_count for s in submissions)
    return [str(read), str(loaded), str(rejected), str(issues)]


def article_table(console: Console, published: Path, as_of: dt.date) -> None:
    """The article's figures, read back from the analysts' database."""
    from warehouse.database import connect
    from warehouse.queries import city_indicators

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
    from flows.delivery.masking import shareable_message
    from warehouse.database import connect
    from warehouse.queries import problem_submissions

    with connect(published, read_only=True) as connection:
        problems = problem_submissions(connection)
    if not problems:
        console.print("Nothing was rejected.")
        return
    # One block per file, its problem on the lines under it: readable at 80 columns, where a table would squeeze
    # the sentence into a narrow column.
    console.print("[bold]Rejected data (sent back to the agencies)[/]")
    for p in problems:
        whole = " (the whole file)" if p["status"] == "rejected" else ""
        console.print(
            f"{literal(p['agency_code'])}  {literal(p['file_name'])}: "
            f"{p['rows_rejected']}/{p['rows_read']} rows returned{whole}",
            overflow="fold",
        )
        # The operator's summary is not the clerk's: it names the problem, not the person's birth date or ID.
        problem = shareable_message(p["top_check"], p["message"]) if p["message"] else ""
        console.print(Padding(literal(problem), (0, 0, 0, 4)))
    console.print(f"Feedback for each agency, in Vietnamese: {literal(outbox)}/<AGENCY>/<file>.loi.xlsx")


def next_steps(console: Console, directory: Path) -> None:
    """What to try after the demo."""
    folder = literal(directory)
    console.print("\nNext:")
    console.print(f"  duckdb {folder}/staffq.duckdb \"from analytics.indicators where scope = 'city'\"")
    console.print(f"  staffq run --workspace {folder} --as-of 2024-12-31   # again: nothing new, nothing changes")
    console.print(f"  staffq check {folder}/inbox/<AGENCY>/<file>  # what a clerk runs before sending")


# The words of `staffq check`, by language.
_CHECK_WORDS = {
    "vi": {
        "agency": "Đơn vị",
        "result": "Kết quả",
        "rows": "Số dòng",
        "rows_counted": "đọc {read}, nhận {taken}, trả lại {returned}",
        "problems": "Vấn đề",
        "problems_counted": "{errors} lỗi, {warnings} cảnh báo",
        "next": "Việc cần làm",
        "unknown_agency": "chưa rõ",
        "from_option": "theo --agency",
        "from_inbox": "theo thư mục {folder}",
        "no_agency_note": (
            "Chưa rõ đơn vị gửi (không có --agency, và tệp không nằm trong inbox/<MÃ ĐƠN VỊ>/ của một "
            "workspace): đã bỏ qua các kiểm tra so tệp với đơn vị gửi (tên đơn vị ở phần tiêu đề, đơn vị ghi ở "
            "từng dòng, đối tượng mặc định của đơn vị khi tệp không có cột Đối tượng, tiêu chuẩn chức danh theo "
            "cấp của đơn vị). Thêm --agency <MÃ ĐƠN VỊ> "
            "để kiểm tra đủ."
        ),
        "none": "Không có vấn đề nào.",
        "error": "LỖI",
        "warning": "CẢNH BÁO",
        "row": "Dòng {row}",
        "whole_file": "Cả tệp",
        "list_number": "STT {stt}",
        "sheet": 'trang tính "{sheet}"',
        "column": "Cột",
        "value": "Giá trị",
        "more": "… và {hidden} vấn đề khác: --all để xem tất cả, --json để lấy dạng JSON.",
    },
    "en": {
        "agency": "Agency",
        "result": "Result",
        "rows": "Rows",
        "rows_counted": "{read} read, {taken} taken, {returned} returned",
        "problems": "Problems",
        "problems_counted": "errors: {errors}, warnings: {warnings}",
        "next": "Next step",
        "unknown_agency": "unknown",
        "from_option": "from --agency",
        "from_inbox": "from the folder {folder}",
        "no_agency_note": (
            "The sending agency is unknown (no --agency, and the file is not in inbox/<AGENCY>/ of a "
            "workspace): the checks that compare the file with its sender (the unit named in the title block, "
            "the unit on each row, the agency's default category when the file has no category column, the "
            "leaders' title standards of the agency's level) were "
            "skipped. Add --agency <AGENCY> to run them."
        ),
        "none": "No problems found.",
        "error": "ERROR",
        "warning": "WARNING",
        "row": "Row {row}",
        "whole_file": "Whole file",
        "list_number": "No. {stt}",
        "sheet": 'sheet "{sheet}"',
        "column": "Column",
        "value": "Value",
        "more": "… and {hidden:,} more problems: --all shows every one, --json writes them for a program.",
    },
}


def check_report(console: Console, result, shown: int | None = CHECK_SHOWN_PROBLEMS, lang: str = "vi") -> None:
    """One file's verdict, then one block per problem: where it is (the row as Excel numbers it, the list's own
    STT and the person's name when known), the column as headed in the file, the value as written and what to
    do. Blocks, not a table, so that a terminal of 80 columns reads them whole. A list with thousands of problems
    shows its first `shown` and says how to see the rest."""
    import polars as pl

    from flows.delivery.verdicts import next_step, reason, verdict

    words = _CHECK_WORDS[lang]
    issues = result.issues
    errors = issues.filter(issues["severity"] == "error").height
    console.print(Text(_visible(result.file_name), style="bold"))
    summary = Table.grid(padding=(0, 1))
    summary.add_column(no_wrap=True)
    summary.add_column()
    summary.add_row(f"{words['agency']}:", _sender(result.sender, words))
    outcome = Text(verdict(result.status, lang), style=_STATUS_STYLE[result.status])
    why = reason(result.status, issues, lang)
    if why:
        outcome.append(f": {_visible(why)}")
    summary.add_row(f"{words['result']}:", outcome)
    counted = {"read": result.rows_read, "taken": result.rows_taken, "returned": result.rows_rejected}
    summary.add_row(f"{words['rows']}:", Text(words["rows_counted"].format(**counted)))
    summary.add_row(
        f"{words['problems']}:", Text(words["problems_counted"].format(errors=errors, warnings=issues.height - errors))
    )
    summary.add_row(f"{words['next']}:", Text(next_step(result.status, issues.height > errors, sent=False, lang=lang)))
    console.print(summary)
    if result.sender.source is None:
        console.print(Text(words["no_agency_note"], style="yellow"))
    if issues.is_empty():
        console.print(Text(words["none"], style="green"))
        return
    # Problems with the whole file first, errors before warnings, then row by row as the clerk goes down the list.
    issues = issues.sort(
        pl.col("row_number").is_not_null(), "sheet", "row_number", pl.col("severity") != "error", maintain_order=True
    )
    listed = issues if shown is None else issues.head(shown)
    several_sheets = issues["sheet"].drop_nulls().n_unique() > 1
    message = "message_vi" if lang == "vi" else "message_en"
    for issue in listed.iter_rows(named=True):
        console.print()
        console.print(_problem_block(issue, words, message, several_sheets))
    hidden = issues.height - listed.height
    if hidden:
        console.print()
        console.print(Text(words["more"].format(hidden=hidden)))


_STATUS_STYLE = {"accepted": "green", "accepted_with_errors": "yellow", "rejected": "red", "duplicate": "dim"}


def _sender(sender, words: dict) -> Text:
    if sender.code is None:
        return Text(words["unknown_agency"], style="yellow")
    named = f"{sender.code} {sender.name}" if sender.name else sender.code
    source = (
        words["from_option"]
        if sender.source == "option"
        else words["from_inbox"].format(folder=f"inbox/{sender.code}/")
    )
    return Text(f"{_visible(named)} ({source})")


def _problem_block(issue: dict, words: dict, message: str, several_sheets: bool) -> Group:
    """Heading (severity, where), then the column and value as written, then the message, indented under it."""
    severity = issue["severity"]
    where = [words["whole_file"] if issue["row_number"] is None else words["row"].format(row=issue["row_number"])]
    if issue.get("list_number"):
        where.append(words["list_number"].format(stt=_visible(issue["list_number"])))
    if issue.get("person_name"):
        where.append(_visible(issue["person_name"]))
    if issue["sheet"] and several_sheets:
        where.append(words["sheet"].format(sheet=_visible(issue["sheet"])))
    heading = Text.assemble(
        (words[severity], "bold red" if severity == "error" else "bold yellow"), " · ", " · ".join(where)
    )
    lines = []
    if issue["column_header"]:
        lines.append(Text(f"{words['column']}: {_visible(issue['column_header'])}"))
    if issue["value"] is not None:
        lines.append(Text(f"{words['value']}: {_visible(issue['value'])}"))
    lines.append(Text(_visible(issue[message] or "")))
    lines.append(Text(f"[{issue['check_code']}]", style="dim"))
    return Group(heading, Padding(Group(*lines), (0, 0, 0, 2), expand=False))


def _visible(value: object) -> str:
    """Text from the clerk's file, shown as written but with control characters as their pictures (a Text
    object takes no markup, so only the terminal needs protecting)."""
    return str(value).translate(_VISIBLE_CONTROLS)

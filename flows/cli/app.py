"""The `staffq` command line: one entry point for the operator, the clerk and the demo."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from flows.cli import console as show
from flows.cli.portal import portal_app

if TYPE_CHECKING:
    from flows.cli.prefect_server import LocalServer

app = typer.Typer(
    help="staffq: nightly quality checks and indicators for agencies' staff lists, in DuckDB.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
app.add_typer(portal_app, name="portal")
# Without emoji codes: a clerk's ":thumbs_up:" is printed as written (staffq's own text has none).
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _as_of_option(help_text: str) -> typer.models.OptionInfo:
    """Every command reads dates the one way the warehouse stores them."""
    return typer.Option("--as-of", formats=["%Y-%m-%d"], help=help_text)


REPORT_FORMATS = ("table", "md", "html", "xlsx")
WorkspaceOption = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (holds staffq.toml).", show_default=True)
]


@app.command()
def init(
    directory: Annotated[Path, typer.Option("--dir", help="Folder to create the workspace in.")] = Path("."),
    catalog: Annotated[str, typer.Option(help="Agency catalogue to start from: tan-uyen or empty.")] = "tan-uyen",
) -> None:
    """Create an empty workspace: staffq.toml (every setting, commented), agencies.csv, an inbox per agency.

    Example: `staffq init --dir ./tan-uyen`
    """
    from flows.cli.init import WorkspaceExists, create_workspace
    from flows.settings import environment_variable, secret_file

    if catalog not in ("tan-uyen", "empty"):
        err.print(f"[red]Unknown catalogue {show.literal(repr(catalog))}[/]: use tan-uyen or empty.")
        raise typer.Exit(2)
    try:
        workspace = create_workspace(directory, None if catalog == "empty" else catalog)
    except WorkspaceExists as error:
        err.print(f"[red]{show.literal(error)} already holds a workspace[/] (staffq.toml). Choose another --dir.")
        raise typer.Exit(2) from error
    out.print(f"Workspace created in [bold]{show.literal(workspace.root)}[/].")
    out.print(
        f"Put agency files in {show.literal(workspace.inbox)}/<AGENCY_CODE>/ and run: "
        f"staffq run --workspace {show.literal(directory)}"
    )
    if environment_variable("privacy", "person_key_secret"):
        out.print("The person-key secret comes from STAFFQ_PRIVACY__PERSON_KEY_SECRET: keep it set for every run.")
    else:
        out.print(
            f"The person-key secret is in {show.literal(secret_file(workspace.root))} (readable by you only): back it "
            "up with the warehouse, and never change it: another secret gives everyone a new person_key."
        )


@app.command()
def run(
    workspace: WorkspaceOption = Path("."),
    as_of: Annotated[dt.datetime | None, _as_of_option("Compute indicators as of this date.")] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Exit 1 when any agency data was rejected, an alert could not be delivered, or work that follows "
            "the load (publishing, feedback) was left for the next run."
        ),
    ] = False,
    consolidate: Annotated[
        bool,
        typer.Option(
            help="In a province's workspace: consolidate its cities' latest figures from the lake (the province "
            "scope) instead of reading an inbox."
        ),
    ] = False,
) -> None:
    """Run the nightly flow once, now: ingest new inbox files, validate, load, recompute, publish.

    Files already loaded (same content) are skipped, so running twice for the same as-of date changes nothing;
    another date adds that date's indicators to the history.

    Example: `staffq run --workspace ./tan-uyen --as-of 2024-12-31`;
    a province: `staffq run --workspace ./binh-duong --consolidate`
    """
    from flows.cli.prefect_server import prefect_api

    root = _ready_workspace(workspace)
    if consolidate:
        with prefect_api(root) as server:
            _consolidate(root, as_of.date() if as_of else None, server)
        return
    with prefect_api(root) as server:
        outcome = _run_flow(root, as_of.date() if as_of else None, server)
    show.run_summary(out, outcome)
    if strict and (outcome.has_rejections or outcome.failed_alerts or outcome.not_done):
        raise typer.Exit(1)


@app.command()
def serve(
    workspace: WorkspaceOption = Path("."),
    port: Annotated[int, typer.Option(help="Port of the local Prefect server (without PREFECT_API_URL).")] = 4200,
) -> None:
    """Run the nightly flow on its schedule ([schedule] in staffq.toml), and the clerks' portal ([portal]), until
    stopped (Ctrl+C, SIGTERM).

    Registers the deployment nightly/staffq-nightly with Prefect. With PREFECT_API_URL set, that server is used;
    otherwise a local Prefect server is started on 127.0.0.1:PORT (database in WORKSPACE/.prefect/), its UI shows
    the runs, logs and artifacts, and it is stopped when serve stops. See docs/operations.md.

    Example: `staffq serve --workspace ./tan-uyen`
    """
    from flows.cli.prefect_server import ServerError
    from flows.cli.serve import serve as serve_flow

    root = _ready_workspace(workspace)
    try:
        serve_flow(root, port, lambda text: out.print(show.literal(text)))
    except ServerError as error:
        err.print(f"[red]Cannot start the local Prefect server:[/] {error}")
        raise typer.Exit(2) from error


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Folder of the demo workspace.")] = Path("staffq-demo"),
) -> None:
    """Build the Tân Uyên demo workspace, run the nightly flow once and print the city's table.

    Re-running is safe: files already loaded are skipped.

    Example: `staffq demo --dir /tmp/staffq-demo`
    """
    from flows.cli.prefect_server import prefect_api
    from flows.demo.tables import AS_OF as DEMO_AS_OF
    from flows.demo.workspace import prepare_demo

    root = directory.resolve()
    root.mkdir(parents=True, exist_ok=True)
    with prefect_api(root) as server:  # starts while the demo's files are written
        with out.status("Preparing the Tân Uyên demo workspace and agency files..."):
            workspace, files = prepare_demo(root)
        out.print(f"Demo workspace: [bold]{show.literal(workspace.root)}[/] ({len(files)} agency files in the inbox)")
        _ready_workspace(root)  # the environment can still make it invalid (a short STAFFQ_PRIVACY__... secret)
        outcome = _run_flow(root, DEMO_AS_OF, server)
    show.run_summary(out, outcome)
    show.article_table(out, workspace.published, DEMO_AS_OF)
    show.rejections(out, workspace.published, workspace.outbox)
    show.next_steps(out, directory)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="The agency file to check (.xlsx, .xls, .csv).")],
    agency: Annotated[
        str | None,
        typer.Option(help="Agency code (default: the folder under inbox/ that holds the file, in a workspace)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict and every problem as JSON.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="Show every problem, not the first 100.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: vi or en.")] = "vi",
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace whose catalogue and settings apply (default: the one holding the file, or this folder).",
        ),
    ] = None,
) -> None:
    """Validate one agency file without loading it: every problem with its row, column, value and fix.

    Outside a workspace the shipped Tân Uyên catalogue and the default settings apply. Without an agency (no
    `--agency`, the file not in `inbox/<AGENCY>/`), the checks that compare the file with its sender, and the
    leaders' title standards (which depend on the agency's level), are skipped.

    Exit status: 0 valid, 1 invalid rows or file-level problems, 2 unreadable file, a file over the [limits] of
    staffq.toml, or bad usage.

    Example: `staffq check "DS_CBCCVC_2024.xlsx" --agency UB-NV`
    """
    from flows.cli.check import NotAWorkspace, check_file, find_workspace
    from flows.delivery.verdicts import LANGUAGES

    if lang not in LANGUAGES:
        err.print(f"[red]Unknown language {show.literal(repr(lang))}[/]: use vi or en.")
        raise typer.Exit(2)
    if not file.is_file():
        err.print(f"[red]No such file: {show.literal(file)}[/]")
        raise typer.Exit(2)
    try:
        root = find_workspace(file, workspace)
    except NotAWorkspace as error:
        err.print(f"[red]{show.literal(error)} is not a staffq workspace[/] (no staffq.toml).")
        raise typer.Exit(2) from error
    # What a library said of an unreadable file is for an operator's log; the clerk's verdict already says, in
    # Vietnamese, what to do. Without a handler Python would print it, in English, on the clerk's terminal.
    logging.getLogger("schemas").addHandler(logging.NullHandler())
    result = check_file(file, agency, root)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dicts(), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        show.check_report(out, result, shown=None if show_all else show.CHECK_SHOWN_PROBLEMS, lang=lang)
    raise typer.Exit(result.exit_code)


@app.command()
def template(
    output: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path("mau-danh-sach.xlsx"),
    as_of: Annotated[dt.datetime | None, _as_of_option("The list's date (default: 31 December last year).")] = None,
    agency_name: Annotated[str, typer.Option(help="Agency name for the title block.")] = "",
) -> None:
    """Write the Excel template agencies fill in: canonical headers, drop-down lists, date and text formats,
    an example row and an instructions sheet. A list made from it passes `staffq check`.

    Example: `staffq template --out mau-danh-sach.xlsx --agency-name "PHÒNG NỘI VỤ"`
    """
    from flows.excel.template import write_template

    path = write_template(output, as_of.date() if as_of else None, agency_name)
    out.print(
        f"Template written to [bold]{show.literal(path)}[/]. Agencies fill in the sheet 'Danh sách' and send it back."
    )


@app.command()
def report(
    workspace: WorkspaceOption = Path("."),
    as_of: Annotated[dt.datetime | None, _as_of_option("Indicators as of this date (default: the latest).")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, md, html or xlsx.")] = "table",
    output: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (md: default the terminal; html, xlsx: bao-cao-DATE.FORMAT)."),
    ] = None,
) -> None:
    """The city's indicator report, with the narrative paragraph of the source article's style.

    table: in the terminal. md: Markdown. html: one self-contained page with charts (no network needed to view it).
    xlsx: the official forms for A4 landscape: BM01/BNV for cán bộ and công chức, the same layout for viên chức, a
    summary of người lao động (the three add up to the headcount) and the leaders' table of Party form 9B. Reads the
    analysts' copy (staffq.duckdb) of the workspace.

    Example: `staffq report --workspace staffq-demo --format html --out bao-cao.html`
    """
    from flows.reports.city import city_report, print_table, render_markdown
    from flows.reports.forms import write_xlsx
    from flows.reports.html import write_html
    from flows.settings import load_settings, workspace_of
    from warehouse.database import connect
    from warehouse.queries import latest_as_of

    if output_format not in REPORT_FORMATS:
        err.print(f"[red]Unknown format {show.literal(repr(output_format))}[/]: use {', '.join(REPORT_FORMATS)}.")
        raise typer.Exit(2)
    root = workspace.resolve()
    settings = load_settings(root)
    published = workspace_of(root, settings).published
    if not published.is_file():
        err.print(
            f"[red]No analysts' database at {show.literal(published)}[/]. "
            f"Run: staffq run --workspace {show.literal(workspace)}"
        )
        raise typer.Exit(2)
    with connect(published, read_only=True) as connection:
        date = as_of.date() if as_of else latest_as_of(connection)
        city = city_report(connection, date) if date else None
        if city is None or not city.values:
            err.print(f"[red]No indicators as of {date}[/] in {show.literal(published)}.")
            raise typer.Exit(2)
        if output_format in ("html", "xlsx"):
            target = output or _default_output(output_format, date)
            target.parent.mkdir(parents=True, exist_ok=True)
            if output_format == "html":
                write_html(connection, city, target)
            else:
                write_xlsx(connection, date, target, settings.report)
            out.print(f"Report written to [bold]{show.literal(target)}[/].")
            return
    if output_format == "md":
        text = render_markdown(city)
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            out.print(f"Report written to [bold]{show.literal(output)}[/].")
        else:
            sys.stdout.write(text)
    else:
        print_table(out, city)


def _default_output(fmt: str, as_of: dt.date) -> Path:
    """bao-cao-2024-12-31.html in the current folder: a file format needs a file."""
    return Path(f"bao-cao-{as_of.isoformat()}.{fmt}")


def _ready_workspace(workspace: Path) -> Path:
    """The workspace `run`, `serve` and `demo` work in, checked before a night starts: a night that would fail on its
    configuration, or on a workspace it cannot write, fails now, with every problem on one line each, and exit
    status 2 (`run` and `serve` check before anything is written and Prefect starts)."""
    from flows.preflight import check_workspace
    from warehouse.workspace import Workspace

    root = workspace.resolve()
    if not (root / "staffq.toml").is_file():
        err.print(
            f"[red]{show.literal(root)} is not a staffq workspace[/] (no staffq.toml). Create one with: staffq init "
            f"--dir {show.literal(workspace)}"
        )
        raise typer.Exit(2)
    problems = check_workspace(root)
    for problem in problems:
        err.print(f"[red]{show.literal(problem)}[/]", soft_wrap=True)
    if problems:
        raise typer.Exit(2)
    problem = Workspace.at(root).write_error()
    if problem:
        err.print(
            f"[red]Cannot write in the workspace[/] ({show.literal(problem)}). Nothing was changed: the last published "
            "staffq.duckdb is intact. Make the workspace writable (or free space) and run again."
        )
        raise typer.Exit(2)
    return root


def _consolidate(root: Path, as_of: dt.date | None, server: LocalServer | None) -> None:
    """The province's figures from its cities; one line per city says which of its nights counted."""
    with out.status("Consolidating the cities' figures..."):
        from flows.consolidation import consolidation

        try:
            if server:
                server.wait_until_healthy()
            nights = consolidation(root, as_of)
        except Exception as error:
            err.print(f"[red]The consolidation failed:[/] {show.literal(error)}")
            raise typer.Exit(2) from error
    for night in nights:
        when = f"{night.as_of_date:%d/%m/%Y}" if night.as_of_date else "[yellow]no figures yet: counts for nothing[/]"
        out.print(f"{show.literal(night.city)}: {when}")


def _run_flow(root: Path, as_of: dt.date | None, server: LocalServer | None):
    """Prefect is imported only here, after its settings point inside the workspace. While a server of the
    command's own starts, the night begins without it (flows.head_start)."""
    with out.status("Running the nightly flow (a local Prefect server takes a few seconds to start)..."):
        from flows.head_start import begin_night
        from warehouse.locks import RunInProgress

        try:
            with begin_night(root, as_of) if server else nullcontext():
                from flows.nightly import run_nightly

                if server:
                    server.wait_until_healthy()
                return run_nightly(root, as_of)
        except RunInProgress as error:
            err.print(f"[yellow]Not started:[/] {show.literal(error)}.")
            raise typer.Exit(2) from error
        except Exception as error:
            err.print(f"[red]The pipeline failed:[/] {show.literal(error)}")
            raise typer.Exit(2) from error

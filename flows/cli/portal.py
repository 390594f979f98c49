"""`staffq portal`: the operator's commands for the clerks' portal — accounts, and the portal on its own."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows.cli.console import literal

portal_app = typer.Typer(
    help="The clerks' portal, which `staffq serve` runs beside the nightly flow ([portal] in staffq.toml): accounts, "
    "and the portal alone.\n\nExample: `staffq portal add-user --workspace ./tan-uyen --agency UB-NV --name lan.nv`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)
WorkspaceOption = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder (holds staffq.toml).")]


@portal_app.command("add-user")
def add_user(
    name: Annotated[str, typer.Option("--name", help="Login name, e.g. lan.nv: lower-case letters, digits, . _ -")],
    agency: Annotated[str | None, typer.Option(help="Agency code the account sends lists for.")] = None,
    operator: Annotated[bool, typer.Option("--operator", help="An operator's account: sees every agency.")] = False,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Create an account, or give an existing one a new password (which also unlocks it): prints a one-time
    password to hand to the clerk, who chooses their own at the first sign-in. Only a hash of it is kept, in
    WORKSPACE/portal-users.json.

    Example: `staffq portal add-user --workspace ./tan-uyen --agency UB-NV --name lan.nv`
    """
    from flows.portal.app import USERS_FILE
    from flows.portal.users import Accounts, BadLogin
    from flows.settings import load_settings, workspace_of
    from schemas.rules.agencies import read_agencies

    root = _workspace(workspace)
    if operator == (agency is not None):
        err.print("[red]Give either --agency CODE or --operator.[/]")
        raise typer.Exit(2)
    if agency is not None:
        catalogue = read_agencies(workspace_of(root, load_settings(root)).agencies)
        if agency not in set(catalogue["agency_code"]):
            err.print(f"[red]No agency {literal(agency)} in the catalogue[/] (agencies.csv of {literal(root)}).")
            raise typer.Exit(2)
    try:
        password = Accounts(root / USERS_FILE).set_password(name, agency)
    except BadLogin as error:
        err.print(f"[red]{literal(error)}[/]")
        raise typer.Exit(2) from error
    who = f"agency {literal(agency)}" if agency else "the operator (every agency)"
    out.print(f"Account [bold]{literal(name)}[/] for {who}. One-time password:")
    out.print(f"  [bold]{literal(password)}[/]")
    out.print("Hand it over in person or by phone; the clerk chooses their own password at the first sign-in.")


@portal_app.command("serve")
def serve_portal(workspace: WorkspaceOption = Path(".")) -> None:
    """Run the portal alone (without the nightly schedule) until stopped (Ctrl+C, SIGTERM), on [portal] host and
    port. `staffq serve` runs it already: this is for a portal on another machine sharing the workspace.

    Example: `staffq portal serve --workspace ./tan-uyen`
    """
    from flows.portal.server import PortalError, running_portal
    from flows.settings import load_settings

    root = _workspace(workspace)
    settings = load_settings(root).portal
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with running_portal(root, settings.host, settings.port) as url:
            out.print(f"Portal on {literal(url)}; Ctrl+C stops it.")
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
    except PortalError as error:
        err.print(f"[red]Cannot start the portal:[/] {literal(error)}")
        raise typer.Exit(2) from error
    out.print("Portal stopped.")


def _workspace(workspace: Path) -> Path:
    root = workspace.resolve()
    if not (root / "staffq.toml").is_file():
        err.print(f"[red]{literal(root)} is not a staffq workspace[/] (no staffq.toml).")
        raise typer.Exit(2)
    return root

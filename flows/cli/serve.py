"""`staffq serve`: the nightly flow as a Prefect deployment on the workspace's schedule, in one command.

A schedule needs a Prefect API that outlives a run (an ephemeral one registers the deployment but never schedules
it). `PREFECT_API_URL` is used when set — a shared server; otherwise a local `prefect server` is started on
127.0.0.1 with its database in the workspace, supervised, and stopped when serve stops."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.cli.prefect_server import configure_prefect, raise_keyboard_interrupt, start_server
from flows.settings import load_settings
from warehouse.workspace import Workspace

DEPLOYMENT = "staffq-nightly"


def serve(root: Path, port: int, say: Callable[[str], None]) -> None:
    """Serve the nightly flow until interrupted (Ctrl+C or SIGTERM), with a local server unless one is set."""
    # serve's terminal (or journal) is where its runs are watched: it shows their log, not only warnings.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO")
    configure_prefect(root)
    settings = load_settings(root)
    with _prefect_api(root, port, say):
        from prefect.schedules import Cron, Interval

        from flows.nightly import nightly

        schedule = settings.schedule
        if schedule.interval_seconds:
            schedules = [Interval(schedule.interval_seconds, timezone=schedule.timezone)]
            when = f"every {schedule.interval_seconds} s"
        else:
            schedules = [Cron(schedule.cron, timezone=schedule.timezone)]
            when = f"cron {schedule.cron!r} in {schedule.timezone}"
        say(f"Serving deployment nightly/{DEPLOYMENT} ({when}); Ctrl+C stops it.")
        nightly.serve(
            name=DEPLOYMENT,
            schedules=schedules,
            parameters={"workspace": str(root)},
            global_limit=1,  # two nights never load at once
            enforce_parameter_schema=False,
            print_starting_message=False,
        )


@contextmanager
def _prefect_api(root: Path, port: int, say: Callable[[str], None]) -> Iterator[str]:
    """The API to register with: the configured one, or a local server for as long as the block runs. Its pid and
    address are written in the workspace's `.prefect/`: `staffq run` reports to it while it is up."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        say(f"Using the Prefect API at {configured}.")
        yield configured
        return
    workspace = Workspace.at(root)
    pid_path = workspace.prefect_home / "server.pid"
    url_path = workspace.prefect_home / "server.url"
    server = start_server(workspace.prefect_home / "server.log", port)
    pid_path.write_text(str(server.process.pid), encoding="utf-8")
    # SIGTERM (systemd stop) must unwind like Ctrl+C so the server below is stopped.
    previous = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        server.wait_until_healthy()
        url_path.write_text(server.url, encoding="utf-8")
        os.environ["PREFECT_API_URL"] = server.api_url
        say(
            f"Prefect server (pid {server.process.pid}) on {server.url} — open it for runs, logs and artifacts; "
            f"log: {server.log_path}"
        )
        yield server.api_url
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        url_path.unlink(missing_ok=True)
        server.stop()
        pid_path.unlink(missing_ok=True)
        say(f"Prefect server (pid {server.process.pid}) stopped.")

"""`staffq serve`: the nightly flow as a Prefect deployment on the workspace's schedule, in one command.

`PREFECT_API_URL` is used when set — a shared server; otherwise a local `prefect server` is started on 127.0.0.1
with its database in the workspace, supervised, and stopped when serve stops (flows.cli.prefect_server)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from flows.cli.prefect_server import configure_prefect, served_api
from flows.settings import PortalSettings, load_settings

DEPLOYMENT = "staffq-nightly"


def serve(root: Path, port: int, say: Callable[[str], None]) -> None:
    """Serve the nightly flow until interrupted (Ctrl+C or SIGTERM), with a local server unless one is set."""
    # serve's terminal (or journal) is where its runs are watched: it shows their log, not only warnings.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO")
    configure_prefect(root)
    settings = load_settings(root)
    with served_api(root, port, say) as api_url, _portal(root, settings.portal, api_url, say):
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
def _portal(root: Path, settings: PortalSettings, api_url: str, say: Callable[[str], None]) -> Iterator[None]:
    """The clerks' portal beside the schedule, when enabled. A portal that cannot start (its port taken) is said and
    left out: the nights go on without it."""
    from flows.portal.server import PortalError, running_portal

    with ExitStack() as stack:
        if settings.enabled:
            try:
                url = stack.enter_context(
                    running_portal(root, settings.host, settings.port, api_url.removesuffix("/api"))
                )
            except PortalError as error:
                say(f"The clerks' portal is not running: {error}. Set [portal] port, or enabled = false.")
            else:
                say(f"Clerks' portal on {url} (behind the HTTPS reverse proxy of docs/operations.md).")
        yield

"""`staffq serve`: the nightly flow as a Prefect deployment on the workspace's schedule, in one command.

A schedule needs a Prefect API that outlives a run (an ephemeral one registers the deployment but never schedules
it). `PREFECT_API_URL` is used when set — a shared server; otherwise a local `prefect server` is started on
127.0.0.1 with its database in the workspace, supervised, and stopped when serve stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.runtime import configure_prefect
from flows.settings import load_settings
from warehouse.workspace import Workspace

DEPLOYMENT = "staffq-nightly"
_SERVER_START_SECONDS = 180


class ServerError(Exception):
    """The local Prefect server did not come up; the message says where its log is."""


def serve(root: Path, port: int, say: Callable[[str], None]) -> None:
    """Serve the nightly flow until interrupted (Ctrl+C or SIGTERM), with a local server unless one is set."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
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
    """The API to register with: the configured one, or a local server for as long as the block runs."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        say(f"Using the Prefect API at {configured}.")
        yield configured
        return
    workspace = Workspace.at(root)
    log_path = workspace.prefect_home / "server.log"
    pid_path = workspace.prefect_home / "server.pid"
    workspace.prefect_home.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops its children too
        )
    pid_path.write_text(str(server.pid), encoding="utf-8")
    # SIGTERM (systemd stop) must unwind like Ctrl+C so the server below is stopped.
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        _wait_until_healthy(url, server, log_path)
        os.environ["PREFECT_API_URL"] = f"{url}/api"
        say(f"Prefect server (pid {server.pid}) on {url} — open it for runs, logs and artifacts; log: {log_path}")
        yield f"{url}/api"
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(server)
        pid_path.unlink(missing_ok=True)
        say(f"Prefect server (pid {server.pid}) stopped.")


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + _SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ServerError(f"the Prefect server did not answer on {url} within {_SERVER_START_SECONDS} s; see {log_path}")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 20 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

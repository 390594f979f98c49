"""The Prefect API a command talks to, and the one module that runs a local Prefect server. Prefect works without
any set-up by the user: the settings the platform notes recommend are applied before Prefect is imported. A command
(`run`, `demo`) uses the API configured, else the workspace's `staffq serve` server, else a local server of its own,
started before anything else so that its start overlaps the command's work; `staffq serve` uses the API configured,
else a local server with a UI that lives as long as it does.

A schedule needs a Prefect API that outlives a run (an ephemeral one registers the deployment but never schedules
it), which is why serve starts a server rather than letting Prefect start a temporary one."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.cli.prefect_database import seed_database
from flows.processes import set_parent_death_signal
from warehouse.workspace import Workspace

_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # The run log (the Prefect UI) gets INFO — one line per file judged, how the indicators were computed — while
    # the terminal of a one-off command shows only warnings: its own summary says the rest.
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "flows,schemas,warehouse",
}
# staffq's own loggers, whose lines go to the run log as well as Prefect's.
OWN_LOGGERS = ("flows", "schemas", "warehouse")
SERVER_START_SECONDS = 180


class ServerError(Exception):
    """The local Prefect server did not come up; the message says where its log is."""


def configure_prefect(workspace_root: Path) -> None:
    """Keep Prefect's database inside the workspace (a warm start is cheaper), keep everything local, and send
    staffq's own log (which batch failed, how a night's indicators were computed) to the run log at Prefect's
    level. Values the user has set already win."""
    os.environ.setdefault("PREFECT_HOME", str(Workspace.at(workspace_root).prefect_home))
    for name, value in _DEFAULTS.items():
        os.environ.setdefault(name, value)
    # Prefect gives its extra loggers its handlers (the run log in the UI) but not its level.
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(os.environ["PREFECT_LOGGING_LEVEL"].upper())


def api_configured() -> bool:
    """PREFECT_API_URL exported, or set in a Prefect already imported by this process (a test harness)."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    settings = sys.modules.get("prefect.settings")
    return bool(settings and settings.PREFECT_API_URL.value())


@dataclass
class LocalServer:
    """A `prefect server` process on 127.0.0.1, in a process group of its own so that stopping it stops all of it."""

    process: subprocess.Popen
    url: str
    log_path: Path
    # The process making the template of Prefect's database, when this server had to migrate its own (see
    # flows.cli.prefect_database): waited for on stop, so that the next new workspace finds it.
    template_maker: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"the Prefect server exited with code {self.process.returncode}; see {self.log_path}")
            if healthy(self.url):
                return
            time.sleep(0.1)
        raise ServerError(
            f"the Prefect server did not answer on {self.url} within {SERVER_START_SECONDS} s; see {self.log_path}"
        )

    def stop(self) -> None:
        """Events and logs Prefect still holds sent first (they would be lost, with errors), then SIGTERM to the
        server's process group, SIGKILL after 20 s. Stopping a stopped server does nothing."""
        if self.template_maker is not None:
            self.template_maker.wait()
        if self.process.poll() is not None:
            return
        _drain_prefect()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(log_path: Path, port: int | None = None, ui: bool = True) -> LocalServer:
    """Start `prefect server start` on 127.0.0.1 (a free port unless given) and return at once; a new Prefect home
    gets its database from the template (flows.cli.prefect_database)."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    template_maker = seed_database(home, _stop_with_command(os.getpid()))
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, *([] if ui else ["--no-ui"])],
            env=_server_environment(url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_stop_with_command(os.getpid()),
        )
    return LocalServer(process, url, log_path, template_maker)


def _server_environment(url: str) -> dict[str, str]:
    """The server's environment, telling its UI where the API is. `--port` moves only the API: the UI asks
    `/ui-settings` for the API's address, which Prefect builds from PREFECT_UI_API_URL, else PREFECT_API_URL, else
    its default port 4200 — a UI served on another port then calls a port nobody listens on, and stays blank. An
    address the user set (a proxy in front of the server) is kept."""
    environment = dict(os.environ)
    if not environment.get("PREFECT_UI_API_URL") and not environment.get("PREFECT_SERVER_UI_API_URL"):
        environment["PREFECT_UI_API_URL"] = f"{url}/api"
    return environment


def _stop_with_command(command: int) -> Callable[[], None]:
    """For the server's process, between fork and exec: it gets SIGTERM when the command that started it ends,
    however it ends, so no server outlives its command (and if the command ended already, at once). It runs in a
    session of its own so that a Ctrl+C in the terminal reaches the command first, which then stops the server
    after the run's last events."""

    def in_the_child() -> None:
        set_parent_death_signal(signal.SIGTERM)
        if os.getppid() != command:
            os.kill(os.getpid(), signal.SIGTERM)

    return in_the_child


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def prefect_api(root: Path) -> Iterator[LocalServer | None]:
    """The Prefect API for one command in workspace `root`, as PREFECT_API_URL: the configured one; else the
    workspace's `staffq serve` server when it answers (the run then shows in its UI); else a local server started
    now, in the background — call `wait_until_healthy` on it before the first flow — and stopped at the end, after
    Prefect has sent it the run's last events."""
    configure_prefect(root)
    if api_configured():
        yield None
        return
    workspace = Workspace.at(root)
    served = workspace.prefect_home / "server.url"
    if served.is_file() and healthy(url := served.read_text(encoding="utf-8").strip()):
        os.environ["PREFECT_API_URL"] = f"{url}/api"
        try:
            yield None
        finally:
            _drain_prefect()
            os.environ.pop("PREFECT_API_URL", None)
        return
    with _local_server(workspace.prefect_home / "run-server.log", ui=False) as server:
        yield server


@contextmanager
def served_api(root: Path, port: int, say: Callable[[str], None]) -> Iterator[str]:
    """The API `staffq serve` registers with: the configured one, or a local server with its UI for as long as the
    block runs. Its pid and address are written in the workspace's `.prefect/`: `staffq run` reports to it while it
    is up."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        say(f"Using the Prefect API at {configured}.")
        yield configured
        return
    home = Workspace.at(root).prefect_home
    pid_path, url_path = home / "server.pid", home / "server.url"
    with _local_server(home / "server.log", port) as server:
        pid_path.write_text(str(server.process.pid), encoding="utf-8")
        try:
            server.wait_until_healthy()
            url_path.write_text(server.url, encoding="utf-8")
            say(
                f"Prefect server (pid {server.process.pid}) on {server.url} — open it for runs, logs and artifacts; "
                f"log: {server.log_path}"
            )
            yield server.api_url
        except KeyboardInterrupt:
            say("Stopping.")
        finally:
            url_path.unlink(missing_ok=True)
            server.stop()
            pid_path.unlink(missing_ok=True)
            say(f"Prefect server (pid {server.process.pid}) stopped.")


@contextmanager
def _local_server(log_path: Path, port: int | None = None, ui: bool = True) -> Iterator[LocalServer]:
    """A local server started now, its API as PREFECT_API_URL, stopped when the block ends however it ends. SIGTERM
    (systemd's stop) unwinds the block like Ctrl+C, so that the server is stopped."""
    server = start_server(log_path, port, ui)
    os.environ["PREFECT_API_URL"] = server.api_url
    previous = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
        os.environ.pop("PREFECT_API_URL", None)


def _drain_prefect() -> None:
    """Events and logs Prefect still holds are sent before their server goes (they would be lost, with errors)."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (EventsWorker, APILogWorker):
        worker.drain_all(timeout=10)


def raise_keyboard_interrupt(signum, frame) -> None:
    """A SIGTERM handler (systemd's stop) that unwinds like Ctrl+C, so what was started is stopped."""
    raise KeyboardInterrupt


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

"""The portal served by uvicorn in a thread of its own, beside whatever the main thread does (`staffq serve` runs
the nightly deployment there), and stopped with it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from flows.portal.app import create_app

_START_SECONDS = 60


class PortalError(Exception):
    """The portal could not start: its address is taken or not this machine's."""


@contextmanager
def running_portal(
    root: Path, host: str, port: int, prefect_ui: str = "", scratch: Path | None = None
) -> Iterator[str]:
    """The portal of the workspace at `root` on host:port (port 0: a free one) while the block runs; yields its URL.
    The socket is bound here, so that a port in use is said at once rather than in the thread's log."""
    app = create_app(root, prefect_ui, scratch)
    try:
        listening = socket.create_server((host, port))
    except OSError as error:
        raise PortalError(f"cannot listen on {host}:{port} ({error.strerror or error})") from error
    # Only the reverse proxy on this machine may say the request came as https (X-Forwarded-Proto); the access log
    # is off: it would hold the clerks' addresses, and staffq logs what happened in its own words.
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, proxy_headers=True, forwarded_allow_ips="127.0.0.1"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, name="staffq-portal", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + _START_SECONDS
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise PortalError("the portal did not start; see the log above")
        address, bound_port = listening.getsockname()[:2]
        yield f"http://{address}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join()
        listening.close()
        app.state.portal.checks.close()

"""A real PostgreSQL server for the tests, from the machine's own installation (Debian's `postgresql`): a cluster
made by initdb in a temporary folder, on a free port of 127.0.0.1, stopped at the end. PostgreSQL refuses to run as
root, so under root the cluster belongs to the `postgres` user the package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PostgresServer:
    port: int
    bin_dir: Path
    as_user: tuple[str, ...]

    def create_database(self, name: str) -> str:
        """A new empty database; returns its libpq connection string."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.dsn(name)

    def dsn(self, name: str) -> str:
        return f"dbname={name} host=127.0.0.1 port={self.port} user=postgres"

    def _run(self, program: str, *arguments: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bin_dir / program), *arguments], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}")


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl are: the newest /usr/lib/postgresql/<version>/bin, else the PATH."""
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("initdb")
    if not found:
        raise RuntimeError("PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does it)")
    return Path(found).resolve().parent


@contextmanager
def postgres_server(folder: Path) -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    as_user: tuple[str, ...] = ("runuser", "-u", "postgres", "--") if os.geteuid() == 0 else ()
    folder.mkdir(parents=True, exist_ok=True)
    if as_user:
        shutil.chown(folder, "postgres")
        # The cluster's user must reach its folder through every parent of it.
        for parent in folder.parents:
            if parent == Path(parent.anchor):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    data = folder / "data"
    port = _free_port()
    server = PostgresServer(port, bin_dir, as_user)
    server._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    server._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield server
    finally:
        # Stopped whatever state it is in; a server already gone is not the tests' failure.
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

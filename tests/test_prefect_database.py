"""A new workspace's Prefect database comes from a template migrated once per machine and Prefect version."""

from __future__ import annotations

import sqlite3

from flows.cli.prefect_database import DATABASE_NAME, seed_database, template_path


def no_stop() -> None:
    """Run between fork and exec in the template's maker; the tests wait for it instead."""


def test_the_template_is_made_by_prefect_once_then_copied_into_each_new_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = tmp_path / "first", tmp_path / "second"
    maker = seed_database(first, no_stop)
    assert maker is not None and maker.wait() == 0
    assert not (first / DATABASE_NAME).exists()  # this home's server migrates its own
    with sqlite3.connect(template_path()) as template:
        assert template.execute("select version_num from alembic_version").fetchall()  # migrated by Prefect
        assert template.execute("select count(*) from flow_run").fetchall() == [(0,)]  # and nothing else
    assert seed_database(second, no_stop) is None
    assert (second / DATABASE_NAME).read_bytes() == template_path().read_bytes()
    assert [path.name for path in template_path().parent.iterdir()] == [template_path().name]  # nothing half-made


def test_a_home_with_a_database_or_a_database_elsewhere_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template_path().parent.mkdir(parents=True)
    template_path().write_bytes(b"template")
    home = tmp_path / "home"
    home.mkdir()
    (home / DATABASE_NAME).write_bytes(b"the workspace's own runs")
    assert seed_database(home, no_stop) is None
    assert (home / DATABASE_NAME).read_bytes() == b"the workspace's own runs"
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://prefect@db/prefect")
    assert seed_database(elsewhere, no_stop) is None
    assert not elsewhere.exists()


def test_a_cache_that_cannot_be_written_leaves_the_server_to_migrate(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert seed_database(tmp_path / "home", no_stop) is None
    assert not (tmp_path / "home" / DATABASE_NAME).exists()

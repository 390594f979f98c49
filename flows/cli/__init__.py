"""The `staffq` command line: the typer app, what it prints, the commands' own logic (check, init, serve) and the
local Prefect server the commands run against."""

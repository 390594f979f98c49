"""The workspace's configuration checked before a night touches anything: staffq.toml, the agency catalogue and
the person-key secret. A night that would fail on them fails at once, before Prefect starts, with one line
per problem naming the file, the line and the fix."""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import tomllib
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsError

from flows.settings import (
    MIN_SECRET_LENGTH,
    SECRET_FILE,
    PathSettings,
    PrivacySettings,
    Settings,
    environment_variable,
    load_settings,
    secret_file,
)
from schemas.rules.agencies import agencies_problems
from warehouse.workspace import CONFIG_FILE

_NEW_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'
_TOML_ERROR = re.compile(r"^(?P<message>.*?) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")
_TABLE = re.compile(r"^\s*\[\[?\s*(?P<name>[^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*(?P<key>(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


class ConfigurationError(Exception):
    """The workspace's configuration cannot be used; `problems` holds one line per problem, each naming the file,
    the line and the fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def check_workspace(root: Path) -> list[str]:
    """Every problem of the workspace's staffq.toml, agency catalogue and person-key secret, one line each;
    empty when a night can start. Reads those files only."""
    root = root.resolve()
    problems, document, lines = _config_problems(root / CONFIG_FILE)
    if document is None:
        return problems
    problems += _unknown_settings(document, lines)
    try:
        settings = load_settings(root)
    except ValidationError as error:
        problems += _invalid_values(error, lines)
        try:
            settings = load_settings(root, _PathsAndSecret)
        except (ValidationError, SettingsError, OSError, UnicodeDecodeError):
            return problems
    except SettingsError as error:
        return [*problems, _unreadable_variable(error)]
    except (OSError, UnicodeDecodeError) as error:
        return [*problems, f"{SECRET_FILE}: cannot be read ({_reason(error)}): it must be a UTF-8 text file."]
    # From the paths alone: the settings read may be only those (_PathsAndSecret).
    agencies = root.resolve() / settings.paths.agencies
    problems += agencies_problems(agencies, _shown(agencies, root))
    return problems + _secret_problems(root, settings, document, lines)


class _PathsAndSecret(BaseSettings):
    """The sections the catalogue and secret checks need, read alone when another section is invalid: the
    operator hears of every problem at once."""

    model_config = Settings.model_config
    paths: PathSettings = PathSettings()
    privacy: PrivacySettings = PrivacySettings()


def require_valid_workspace(root: Path) -> None:
    """check_workspace, for a flow: raises ConfigurationError with every problem."""
    problems = check_workspace(root)
    if problems:
        raise ConfigurationError(problems)


def _config_problems(path: Path) -> tuple[list[str], dict | None, dict[tuple[str, ...], int]]:
    """staffq.toml parsed, with the line of each table and key, or why it cannot be."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [f"{CONFIG_FILE}: not found in {path.parent}: create a workspace with staffq init."], None, {}
    except OSError as error:
        return [f"{CONFIG_FILE}: cannot be read ({_reason(error)}): check its permissions."], None, {}
    if raw.startswith(b"\xef\xbb\xbf"):
        problem = f"{CONFIG_FILE} line 1: starts with a byte-order mark, which TOML does not allow: save it as UTF-8 "
        return [problem + "without BOM."], None, {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return (
            [f"{CONFIG_FILE} line {line}: not UTF-8 (byte 0x{raw[error.start]:02X}): save the file as UTF-8."],
            None,
            {},
        )
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_ERROR.match(str(error))
        message = found["message"] if found else str(error)
        where = f" line {found['line']}" if found and found["line"] else ""
        column = f" (column {found['column']})" if found and found["column"] else ""
        return (
            [
                f"{CONFIG_FILE}{where}: {message}{column}: not valid TOML. Write one key = value per line under its "
                '[section], text in double quotes ("0 1 * * *"), lists in brackets (["json://..."]).'
            ],
            None,
            {},
        )
    return [], document, _key_lines(text)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table and key of a TOML text (the first, where one is repeated); enough to point at a
    setting, not a TOML parser."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            table, key = _dotted(header["name"]), ()
        elif assignment := _KEY.match(line):
            key = _dotted(assignment["key"])
        else:
            continue
        full = table + key
        for end in range(1, len(full) + 1):
            found.setdefault(full[:end], number)
    return found


def _dotted(name: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in name.split("."))


def _where(lines: dict[tuple[str, ...], int], *path: str) -> str:
    """`staffq.toml line N`, for the setting or, when it is not written in the file, the file."""
    variable = environment_variable(*path[:2])
    if variable:
        return variable
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return f"{CONFIG_FILE} line {lines[path[:end]]}"
    return CONFIG_FILE


def _unknown_settings(document: dict, lines: dict[tuple[str, ...], int]) -> list[str]:
    """Tables and keys that no setting reads: a misspelt one would otherwise be ignored without a word."""
    sections = Settings.model_fields
    problems = []
    for section, value in document.items():
        if section not in sections:
            problems.append(f"{_where(lines, section)}: {_unknown_section(section, value)}")
            continue
        if not isinstance(value, dict):
            continue  # the wrong type: pydantic says so
        keys = sections[section].annotation.model_fields
        for key in value:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                problems.append(
                    f'{_where(lines, section, key)}: unknown setting "{key}" in [{section}]: {hint}'
                    f"[{section}] has {', '.join(keys)}."
                )
    return problems


def _unknown_section(name: str, value: object) -> str:
    owners = [section for section, field in Settings.model_fields.items() if name in field.annotation.model_fields]
    if not isinstance(value, dict):
        if owners:
            return f'"{name}" is outside any section: move it under [{owners[0]}].'
        return f'unknown setting "{name}" outside any section: settings go under a [section] header.'
    close = difflib.get_close_matches(name, Settings.model_fields, n=1)
    hint = f"did you mean [{close[0]}]? " if close else ""
    return f"unknown section [{name}]: {hint}the sections are {', '.join(Settings.model_fields)}."


def _invalid_values(error: ValidationError, lines: dict[tuple[str, ...], int]) -> list[str]:
    """pydantic's errors, one line each: where the value was set, the value, what is wrong and what is expected."""
    problems = []
    for detail in error.errors():
        section, key = str(detail["loc"][0]), (str(detail["loc"][1]) if len(detail["loc"]) > 1 else None)
        where = _where(lines, section, key) if key else _where(lines, section)
        setting = f"[{section}] {key}" if key else f"[{section}]"
        value = json.dumps(detail["input"], ensure_ascii=False, default=str)
        model = Settings.model_fields[section].annotation
        expected = model.model_fields[key].description if key in model.model_fields else model.__doc__
        problems.append(f"{where}: {setting} = {value}: {detail['msg']}. Expected: {expected}")
    return problems


def _unreadable_variable(error: SettingsError) -> str:
    """A STAFFQ_ variable holding a list or a table that is not JSON (pydantic-settings names only the section)."""
    found = re.search(r'field "(\w+)"', str(error))
    section = found.group(1) if found else ""
    names = [name for name in os.environ if name.upper().startswith(f"STAFFQ_{section}".upper()) and section]
    where = ", ".join(sorted(names)) or "a STAFFQ_ variable"
    return (
        f"{where}: not valid JSON ({error.__cause__ or error}): a list is written as JSON, e.g. "
        "STAFFQ_ALERTS__OPERATOR='[\"json://127.0.0.1:8080/hook\"]'."
    )


def _secret_problems(
    root: Path, settings: Settings | _PathsAndSecret, document: dict, lines: dict[tuple[str, ...], int]
) -> list[str]:
    """The person-key secret: set, long enough that a person_key cannot be recomputed from a national ID by
    trying, and its file readable by its owner only."""
    path = secret_file(root)
    problems = []
    if os.name == "posix" and path.is_file() and (mode := stat.S_IMODE(path.stat().st_mode)) & 0o077:
        problems.append(f"{SECRET_FILE}: readable by other users (mode {mode:04o}): run chmod 600 {path}")
    secret = settings.privacy.person_key_secret.strip()
    if len(secret) >= MIN_SECRET_LENGTH:
        return problems
    variable = environment_variable("privacy", "person_key_secret") or environment_variable("privacy")
    if variable:
        where = variable
    elif "person_key_secret" in document.get("privacy", {}):
        where = f"{_where(lines, 'privacy', 'person_key_secret')}: [privacy] person_key_secret"
    elif path.is_file():
        where = SECRET_FILE
    else:
        return [
            *problems,
            f"{SECRET_FILE}: not found, and neither STAFFQ_PRIVACY__PERSON_KEY_SECRET nor [privacy] "
            f"person_key_secret in {CONFIG_FILE} sets the person-key secret: restore the secret this workspace "
            f"used (every person_key depends on it), or, for a new workspace, create one: {_NEW_SECRET} > {path} "
            f"&& chmod 600 {path}",
        ]
    if not secret and where != SECRET_FILE and path.is_file():
        fix = f"delete it to use the secret in {SECRET_FILE}."
    else:
        fix = f"set a longer one (e.g. from {_NEW_SECRET}) before lists are loaded: every person_key changes with it."
    state = f"has {len(secret)} characters" if secret else "is empty"
    return [
        *problems,
        f"{where}: the person-key secret {state}; it needs at least {MIN_SECRET_LENGTH}, or a person_key can be "
        f"recomputed from a national ID: {fix}",
    ]


def _shown(path: Path, root: Path) -> str:
    """A workspace file as the operator knows it: relative to the workspace, when it is inside."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)

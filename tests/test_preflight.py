"""The workspace's configuration is checked before a night touches anything: each broken workspace below is a
fresh `staffq init` with one thing broken, and the whole list of problems is asserted."""

import hashlib
import hmac
import os
import shutil
import tomllib
import unicodedata

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, run_once
from flows.cli.app import app
from flows.cli.init import create_workspace
from flows.preflight import ConfigurationError, check_workspace, require_valid_workspace
from flows.settings import load_settings

SECRET = "0123456789abcdef-test"
OVERLAP_FIX = "keep one, or end the first with valid_to before the second's valid_from."


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A workspace as `staffq init` makes it, its secret in its file."""
    monkeypatch.delenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", raising=False)
    create_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def catalogue_lines(root) -> list[str]:
    return (root / "agencies.csv").read_text(encoding="utf-8").splitlines()


def write_catalogue(root, lines: list[str]) -> None:
    (root / "agencies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_config(root, old: str, new: str) -> None:
    config = root / "staffq.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def config_line(root, text: str) -> int:
    """The line of staffq.toml that starts with `text`."""
    lines = (root / "staffq.toml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(text))


def test_a_new_workspace_passes_and_keeps_its_secret_owner_only(root):
    assert check_workspace(root) == []
    secret_file = root / ".staffq-secret"
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    assert ".staffq-secret" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    secret = load_settings(root).privacy.person_key_secret
    assert len(secret) == 64 and secret == secret_file.read_text(encoding="utf-8").strip()
    assert tomllib.loads((root / "staffq.toml").read_text(encoding="utf-8"))["privacy"] == {}


def test_init_then_a_run_keys_person_key_with_the_generated_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", raising=False)
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", "--dir", str(root)]).exit_code == 0
    secret = load_settings(root).privacy.person_key_secret
    assert len(secret) == 64
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    workspace = run_once(root)
    with duckdb.connect(str(workspace.warehouse), read_only=True) as connection:
        keys = connection.execute("select person_key from core.staff where national_id = '074085000123'").fetchall()
    expected = hmac.new(secret.encode(), b"id:074085000123", hashlib.sha256).hexdigest()[:16]
    assert keys == [(expected,)]


def test_the_environment_wins_over_staffq_toml_and_staffq_toml_over_the_secret_file(root, monkeypatch):
    from_file = (root / ".staffq-secret").read_text(encoding="utf-8").strip()
    edit_config(root, '# person_key_secret = ""', 'person_key_secret = "from-staffq-toml-0123"')
    assert load_settings(root).privacy.person_key_secret == "from-staffq-toml-0123"
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "from-the-environment-0123")
    assert load_settings(root).privacy.person_key_secret == "from-the-environment-0123"
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "")  # an empty variable is no setting
    edit_config(root, 'person_key_secret = "from-staffq-toml-0123"', '# person_key_secret = ""')
    assert load_settings(root).privacy.person_key_secret == from_file


def test_a_workspace_whose_staffq_toml_holds_the_secret_keeps_using_it(root):
    """Workspaces made before the secret file existed: init wrote the secret into staffq.toml."""
    (root / ".staffq-secret").unlink()
    edit_config(root, '# person_key_secret = ""', f'person_key_secret = "{SECRET}"')
    assert check_workspace(root) == []
    assert load_settings(root).privacy.person_key_secret == SECRET


def test_init_writes_no_secret_file_when_the_environment_sets_the_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", SECRET)
    root = tmp_path / "ws"
    create_workspace(root)
    assert not (root / ".staffq-secret").exists()
    assert check_workspace(root) == []
    monkeypatch.delenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET")
    secret_file = root / ".staffq-secret"
    assert check_workspace(root) == [
        ".staffq-secret: not found, and neither STAFFQ_PRIVACY__PERSON_KEY_SECRET nor [privacy] person_key_secret "
        "in staffq.toml sets the person-key secret: restore the secret this workspace used (every person_key "
        'depends on it), or, for a new workspace, create one: python -c "import secrets; '
        f'print(secrets.token_hex(32))" > {secret_file} && chmod 600 {secret_file}'
    ]


def test_a_secret_file_already_there_is_kept_by_init(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", raising=False)
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".staffq-secret").write_text(SECRET + "\n", encoding="utf-8")
    os.chmod(root / ".staffq-secret", 0o600)
    create_workspace(root)
    assert load_settings(root).privacy.person_key_secret == SECRET


SHORT = (
    "it needs at least 16, or a person_key can be recomputed from a national ID: set a longer one (e.g. from "
    'python -c "import secrets; print(secrets.token_hex(32))") before lists are loaded: every person_key changes '
    "with it."
)


def test_a_short_secret_is_named_where_it_was_set(root, monkeypatch):
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "test-secret")
    assert check_workspace(root) == [
        f"STAFFQ_PRIVACY__PERSON_KEY_SECRET: the person-key secret has 11 characters; {SHORT}"
    ]
    monkeypatch.delenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET")
    (root / ".staffq-secret").write_text("s3cret\n", encoding="utf-8")
    assert check_workspace(root) == [f".staffq-secret: the person-key secret has 6 characters; {SHORT}"]


def test_an_empty_secret_in_staffq_toml_is_refused(root):
    edit_config(root, '# person_key_secret = ""', 'person_key_secret = ""')
    line = config_line(root, "person_key_secret")
    assert check_workspace(root) == [
        f"staffq.toml line {line}: [privacy] person_key_secret: the person-key secret is empty; it needs at least "
        "16, or a person_key can be recomputed from a national ID: delete it to use the secret in .staffq-secret."
    ]


def test_a_secret_file_others_can_read_is_refused(root):
    os.chmod(root / ".staffq-secret", 0o644)
    assert check_workspace(root) == [
        f".staffq-secret: readable by other users (mode 0644): run chmod 600 {root / '.staffq-secret'}"
    ]


def test_a_duplicated_agency_code_names_both_lines(root):
    lines = catalogue_lines(root)
    assert lines[12].startswith("UB-NV,")
    write_catalogue(root, [*lines, lines[12]])
    assert check_workspace(root) == [
        f'agencies.csv line {len(lines) + 1}: agency code "UB-NV" appears twice with overlapping validity '
        f"(lines 13 and {len(lines) + 1}): {OVERLAP_FIX}"
    ]


def test_versions_of_an_agency_may_follow_each_other_but_not_overlap(root):
    lines = catalogue_lines(root)
    ended = lines[12].replace("2023-04-10,,", "2023-04-10,2024-12-31,")
    renamed = lines[12].replace("Phòng Nội vụ,", "Phòng Nội vụ và Lao động,").replace("2023-04-10", "2025-01-01")
    write_catalogue(root, [*lines[:12], ended, *lines[13:], renamed])
    assert check_workspace(root) == []
    write_catalogue(root, [*lines[:12], ended.replace("2024-12-31", "2025-01-01"), *lines[13:], renamed])
    assert check_workspace(root) == [
        f'agencies.csv line {len(lines) + 1}: agency code "UB-NV" appears twice with overlapping validity '
        f"(lines 13 and {len(lines) + 1}): {OVERLAP_FIX}"
    ]


def test_bad_dates_empty_codes_and_unknown_cadences_name_their_lines(root):
    lines = catalogue_lines(root)
    lines[1] = lines[1].replace("2023-04-10", "10/04/2023")
    lines[2] = lines[2].replace("2023-04-10,,", "2023-04-10,2023-13-01,")
    lines[3] = lines[3].replace("2023-04-10,,", "2023-04-10,2023-01-01,")
    lines[4] = lines[4].replace("TU-BTC,", ",", 1)
    lines[5] = lines[5].replace("TU-UBKT,", "tu ubkt,", 1)
    lines[6] = lines[6].replace(",monthly,", ",montly,")
    lines[7] = lines[7].replace("2023-04-10,,monthly,,", ",,monthly,chín,")
    write_catalogue(root, lines)
    assert check_workspace(root) == [
        'agencies.csv line 2: valid_from "10/04/2023" is not a date written YYYY-MM-DD (e.g. 2023-04-10).',
        'agencies.csv line 3: valid_to "2023-13-01" is not a date written YYYY-MM-DD (e.g. 2025-06-30); leave it '
        "empty while the agency exists.",
        "agencies.csv line 4: valid_to 2023-01-01 is before valid_from 2023-04-10: correct one of them.",
        'agencies.csv line 5: the agency code is empty: fill it in (upper-case letters, digits or "-", at most 16 '
        "characters) or delete the line.",
        'agencies.csv line 6: agency code "tu ubkt" must be upper-case letters, digits or "-", at most 16 characters.',
        'agencies.csv line 7: expected_cadence "montly" is not one of none, monthly, quarterly, yearly (empty means '
        "monthly).",
        "agencies.csv line 8: valid_from is empty: write the date this version of the agency starts, as YYYY-MM-DD.",
        'agencies.csv line 8: staff_quota "chín" is not a whole number: write the number of posts, or leave it empty.',
    ]


def test_missing_columns_are_named_on_the_header_line(root):
    lines = catalogue_lines(root)
    write_catalogue(root, [",".join(line.split(",")[:4]) for line in lines[:3]])
    assert check_workspace(root) == [
        "agencies.csv line 1: missing columns valid_from, valid_to, expected_cadence: the header needs "
        "agency_code, name, agency_group, parent_code, valid_from, valid_to, expected_cadence (then, if used, "
        "staff_quota, default_staff_category, aliases, alert_urls)."
    ]


def test_lines_not_in_utf8_are_named(root):
    lines = catalogue_lines(root)
    data = "\n".join(lines).encode("utf-8").splitlines()
    for index in (12, 13, 14):  # as Windows-1258 writes Vietnamese: base letters and combining marks
        data[index] = unicodedata.normalize("NFD", lines[index]).encode("cp1258", errors="replace")
    (root / "agencies.csv").write_bytes(b"\n".join(data) + b"\n")
    assert check_workspace(root) == [
        "agencies.csv line 13: not UTF-8 (byte 0xCC at column 10); so are lines 14, 15: save the file again as "
        'UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)").'
    ]


def test_an_unclosed_quote_is_named_instead_of_swallowing_the_lines_after_it(root):
    lines = catalogue_lines(root)
    lines[12] = lines[12].replace(",Phòng Nội vụ,", ',"Phòng Nội vụ,')
    write_catalogue(root, lines)
    assert check_workspace(root) == [
        'agencies.csv line 13: this row runs on to line 33: close the double quote (") opened on it, or '
        "remove the line break inside a value."
    ]


def test_a_catalogue_moved_by_the_settings_is_the_one_checked(root):
    edit_config(root, '# agencies = "agencies.csv"', 'agencies = "catalogue/agencies.csv"')
    assert check_workspace(root) == [
        "catalogue/agencies.csv: not found: create the agency catalogue there, or set [paths] agencies in staffq.toml."
    ]


def test_a_toml_syntax_error_names_its_line(root):
    edit_config(root, '# cron = "0 1 * * *"', "cron = 0 1 * * *")
    line = config_line(root, "cron")
    assert check_workspace(root) == [
        f"staffq.toml line {line}: Expected newline or end of document after a statement (column 10): not valid "
        "TOML. Write one key = value per line under its [section], text in double quotes "
        '("0 1 * * *"), lists in brackets (["json://..."]).'
    ]


def test_unknown_sections_and_keys_are_named_with_what_was_meant(root):
    edit_config(root, '# cron = "0 1 * * *"', 'crn = "0 2 * * *"')
    (root / "staffq.toml").write_text(
        (root / "staffq.toml").read_text(encoding="utf-8") + '\n[alert]\noperator = ["json://127.0.0.1/hook"]\n',
        encoding="utf-8",
    )
    assert check_workspace(root) == [
        f'staffq.toml line {config_line(root, "crn")}: unknown setting "crn" in [schedule]: did you mean "cron"? '
        "[schedule] has cron, timezone, interval_seconds.",
        f"staffq.toml line {config_line(root, '[alert]')}: unknown section [alert]: did you mean [alerts]? the "
        "sections are paths, schedule, alerts, privacy, validation, limits, warehouse, execution, report, province, "
        "portal.",
    ]


def test_invalid_values_are_one_line_each_with_what_is_expected(root, monkeypatch):
    edit_config(root, "# max_age = 70", 'max_age = "seventy"')
    monkeypatch.setenv("STAFFQ_SCHEDULE__TIMEZONE", "Asia/Saigonn")
    lines = catalogue_lines(root)
    write_catalogue(root, [*lines, lines[12]])  # still reported: the catalogue's path is readable
    assert check_workspace(root) == [
        'STAFFQ_SCHEDULE__TIMEZONE: [schedule] timezone = "Asia/Saigonn": Value error, not a time zone of the IANA '
        "database, e.g. Asia/Ho_Chi_Minh. Expected: Time zone the cron expression is read in.",
        f'staffq.toml line {config_line(root, "max_age")}: [validation] max_age = "seventy": Input should be a '
        "valid integer, unable to parse string as an integer. Expected: Oldest plausible age at the as-of date.",
        f'agencies.csv line {len(lines) + 1}: agency code "UB-NV" appears twice with overlapping validity '
        f"(lines 13 and {len(lines) + 1}): {OVERLAP_FIX}",
    ]


def test_a_variable_that_is_not_json_is_named(root, monkeypatch):
    monkeypatch.setenv("STAFFQ_ALERTS__OPERATOR", "json://127.0.0.1/hook")
    assert check_workspace(root) == [
        "STAFFQ_ALERTS__OPERATOR: not valid JSON (Expecting value: line 1 column 1 (char 0)): a list is written "
        """as JSON, e.g. STAFFQ_ALERTS__OPERATOR='["json://127.0.0.1:8080/hook"]'."""
    ]


def test_the_flow_gets_every_problem_in_one_exception(root):
    require_valid_workspace(root)
    (root / ".staffq-secret").write_text("short\n", encoding="utf-8")
    lines = catalogue_lines(root)
    write_catalogue(root, [*lines, lines[12]])
    with pytest.raises(ConfigurationError) as raised:
        require_valid_workspace(root)
    assert raised.value.problems == check_workspace(root)
    assert str(raised.value) == "\n".join(raised.value.problems) and len(raised.value.problems) == 2


def test_staffq_run_refuses_a_duplicated_code_before_touching_anything(root):
    lines = catalogue_lines(root)
    write_catalogue(root, [*lines, lines[12]])
    listed = root / "inbox" / "UB-NV" / "ds.csv"
    shutil.copy(FIXTURES / "valid_three_people.csv", listed)
    before = (listed.read_bytes(), listed.stat().st_mtime_ns)

    result = CliRunner().invoke(app, ["run", "--workspace", str(root)], terminal_width=80)

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f'agencies.csv line {len(lines) + 1}: agency code "UB-NV" appears twice with overlapping validity '
        f"(lines 13 and {len(lines) + 1}): {OVERLAP_FIX}"
    ]
    assert (listed.read_bytes(), listed.stat().st_mtime_ns) == before
    assert not (root / "warehouse.duckdb").exists() and not (root / "staffq.duckdb").exists()
    assert not (root / ".prefect").exists()  # Prefect never started
    assert list((root / "archive").iterdir()) == [] and list((root / "outbox").iterdir()) == []


def test_staffq_demo_with_a_secret_too_short_in_the_environment_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "too-short")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "demo")], terminal_width=200)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        line for line in result.stderr.splitlines() if line.startswith("STAFFQ_PRIVACY__PERSON_KEY_SECRET: ")
    ]
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "demo" / "warehouse.duckdb").exists()

"""The portal's accounts: one file in the workspace holding, per account, its agency (none for an operator) and a
salted scrypt hash of its password — never the password — with the count of wrong passwords that locks it."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

USERS_FILE = "portal-users.json"
# scrypt's cost: slow enough that a stolen file is costly to guess from, fast enough for a sign-in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD_LENGTH = 10
# The one-time password is read aloud or copied by hand: no letters that look like digits or like each other.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


class BadLogin(ValueError):
    """A login name the portal does not take."""


@dataclass(frozen=True)
class Account:
    """One sign-in. `agency` is None for an operator, who sees every agency. `generation` grows with every new
    password, so that sessions opened with the old one end."""

    login: str
    agency: str | None
    salt: str
    password_hash: str
    must_change_password: bool = True
    failed_sign_ins: int = 0
    locked_until: float = 0.0
    generation: int = 0

    @property
    def is_operator(self) -> bool:
        return self.agency is None

    def password_is(self, password: str) -> bool:
        return hmac.compare_digest(_hash(password, base64.b64decode(self.salt)), self.password_hash)


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: the account when the password was right, or whether it is locked."""

    account: Account | None
    locked: bool = False


class Accounts:
    """The users file, read and written under one lock: the portal serves several requests at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def get(self, login: str) -> Account | None:
        return self._read().get(login)

    def all(self) -> list[Account]:
        return sorted(self._read().values(), key=lambda a: (a.agency or "", a.login))

    def set_password(self, login: str, agency: str | None) -> str:
        """Create the account, or give it a new password: a one-time password, returned to be handed over, which
        the clerk replaces at their first sign-in. A reset also unlocks the account."""
        if not _LOGIN.match(login):
            raise BadLogin(
                f"{login!r}: a login is 2 to 63 lower-case letters, digits, '.', '_' or '-', starting with a "
                "letter or digit"
            )
        password = "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(4))
        with self._lock:
            accounts = self._read()
            previous = accounts.get(login)
            accounts[login] = _account(login, agency, password, True, previous.generation + 1 if previous else 0)
            self._write(accounts)
        return password

    def change_password(self, login: str, password: str) -> Account:
        """The clerk's own password, replacing the one-time one."""
        with self._lock:
            accounts = self._read()
            previous = accounts[login]
            accounts[login] = _account(login, previous.agency, password, False, previous.generation + 1)
            self._write(accounts)
            return accounts[login]

    def sign_in(self, login: str, password: str, max_failed: int, lockout: dt.timedelta) -> SignIn:
        """Check a password. `max_failed` wrong ones in a row lock the account for `lockout`; while locked, even the
        right password is refused. An unknown login costs the same hash, so timing does not tell it apart."""
        with self._lock:
            accounts = self._read()
            account = accounts.get(login)
            if account is None:
                _hash(password, b"\0" * 16)
                return SignIn(None)
            now = dt.datetime.now(dt.UTC).timestamp()
            if account.locked_until > now:
                return SignIn(None, locked=True)
            if account.password_is(password):
                accounts[login] = dataclasses.replace(account, failed_sign_ins=0, locked_until=0.0)
                self._write(accounts)
                return SignIn(accounts[login])
            failed = account.failed_sign_ins + 1
            locked = failed >= max_failed
            accounts[login] = dataclasses.replace(
                account,
                failed_sign_ins=0 if locked else failed,
                locked_until=now + lockout.total_seconds() if locked else 0.0,
            )
            self._write(accounts)
            return SignIn(None, locked=locked)

    def _read(self) -> dict[str, Account]:
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {record["login"]: Account(**record) for record in records}

    def _write(self, accounts: dict[str, Account]) -> None:
        """Written beside, readable by its owner only, and renamed: a crash leaves the old file whole."""
        text = json.dumps([dataclasses.asdict(a) for a in accounts.values()], ensure_ascii=False, indent=1)
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(name, 0o600)
            os.replace(name, self.path)
        finally:
            Path(name).unlink(missing_ok=True)


def _account(login: str, agency: str | None, password: str, one_time: bool, generation: int) -> Account:
    salt = secrets.token_bytes(16)
    return Account(login, agency, base64.b64encode(salt).decode(), _hash(password, salt), one_time, 0, 0.0, generation)


def _hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT).hex()

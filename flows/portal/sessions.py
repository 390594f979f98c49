"""Signed session cookies and the CSRF tokens tied to them, with HMAC from the standard library: the cookie holds who
signed in, a random nonce and when it ends; nothing on the server needs to remember it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE = ".portal-secret"
COOKIE = "staffq_portal"


@dataclass(frozen=True)
class Session:
    """A visitor's session: `login` is empty until they sign in; `generation` is their account's when they did."""

    login: str
    nonce: str
    expires: float
    generation: int = 0


class Signer:
    """Signs sessions with the workspace's portal key and checks what comes back."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def of_workspace(cls, root: Path) -> Signer:
        """The key in the workspace's key file, made (readable by its owner only) the first time: sessions outlive
        a restart of serve, and a new key ends them all."""
        path = root / SECRET_FILE
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls(bytes.fromhex(path.read_text(encoding="utf-8").strip()))
        key = secrets.token_bytes(32)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(key.hex())
        return cls(key)

    def new(self, login: str, hours: float, generation: int = 0) -> Session:
        return Session(login, secrets.token_urlsafe(16), time.time() + hours * 3600, generation)

    def cookie(self, session: Session) -> str:
        payload = base64.urlsafe_b64encode(
            json.dumps([session.login, session.nonce, session.expires, session.generation]).encode()
        ).decode()
        return f"{payload}.{self._sign(payload)}"

    def session(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None when it is missing, forged or expired."""
        if not cookie or "." not in cookie:
            return None
        payload, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            login, nonce, expires, generation = json.loads(base64.urlsafe_b64decode(payload))
        except (ValueError, TypeError):
            return None
        if expires < time.time():
            return None
        return Session(login, nonce, expires, generation)

    def csrf_token(self, session: Session) -> str:
        """The token every form of this session carries: another site can make the browser send the cookie, but
        cannot read a page to learn the token."""
        return self._sign(f"csrf:{session.nonce}")

    def csrf_valid(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf_token(session))

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

"""The portal's pages: sign-in, check a list, send it, the agency's own page and the operator's. Every page of an
agency is checked against the signed-in account (another agency's page, file or check is "not found"); every form
carries the session's CSRF token; URLs carry agency codes and random tokens, never a person or a file name."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from flows.delivery.feedback import feedback_name
from flows.excel.template import write_template
from flows.portal import pages
from flows.portal.checking import ACCEPTED_SUFFIXES, CheckedLists, send
from flows.portal.sessions import COOKIE, Session, Signer
from flows.portal.uploads import BadForm, TooLarge, read_upload
from flows.portal.users import MIN_PASSWORD_LENGTH, Account, Accounts
from flows.settings import Settings, load_settings, workspace_of
from schemas.rules.agencies import read_agencies
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters.update(pages.FILTERS)
USERS_FILE = "portal-users.json"


class SignInNeeded(Exception):
    """No valid session, or one whose account is gone or has a new password since."""


class PasswordChangeNeeded(Exception):
    """The account still has its one-time password."""


class NotFound(Exception):
    """Nothing here for this account: what does not exist and what is another agency's look the same."""


@dataclass(frozen=True)
class Portal:
    """What every page needs: the workspace, its settings and the portal's accounts, key and checks."""

    root: Path
    settings: Settings
    workspace: Workspace
    accounts: Accounts
    signer: Signer
    checks: CheckedLists
    prefect_ui: str

    @property
    def max_upload_bytes(self) -> int:
        return int(self.settings.limits.max_file_mb * 1024 * 1024)

    def agencies(self) -> dict[str, str]:
        """The catalogue's agencies by code, with their latest name, read again for each page that lists them."""
        catalogue = read_agencies(self.workspace.agencies).sort("valid_from")
        return dict(zip(catalogue["agency_code"], catalogue["name"], strict=True))


def create_app(root: Path, prefect_ui: str = "", scratch: Path | None = None) -> FastAPI:
    """The portal of the workspace at `root`; `prefect_ui` is where the operator's page links each night, and
    `scratch` where checked lists wait to be sent (the system's temporary folder by default)."""
    settings = load_settings(root)
    portal = Portal(
        root,
        settings,
        workspace_of(root, settings),
        Accounts(root / USERS_FILE),
        Signer.of_workspace(root),
        CheckedLists(root, scratch),
        settings.portal.prefect_ui_url or prefect_ui,
    )
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    _add_handlers(app)
    _add_sign_in(app, portal)
    _add_checking(app, portal)
    _add_agency_pages(app, portal)
    return app


def render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    """A page, with the session's CSRF token for its forms and the account for its header."""
    session: Session | None = request.state.session if hasattr(request.state, "session") else None
    portal: Portal = request.app.state.portal
    values.setdefault("account", getattr(request.state, "account", None))
    values["csrf"] = portal.signer.csrf_token(session) if session else ""
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _set_session(request: Request, response: Response, session: Session) -> None:
    portal: Portal = request.app.state.portal
    response.set_cookie(
        COOKIE,
        portal.signer.cookie(session),
        max_age=int(portal.settings.portal.session_hours * 3600),
        httponly=True,
        samesite="lax",
        # Behind the documented reverse proxy the request arrives as https (X-Forwarded-Proto): the cookie is then
        # never sent over plain HTTP.
        secure=request.url.scheme == "https",
        path="/",
    )


def _visitor(request: Request, portal: Portal) -> Session:
    """The visitor's session, signed in or not; a new anonymous one (set on the response) when there is none."""
    session = portal.signer.session(request.cookies.get(COOKIE))
    if session is None:
        session = portal.signer.new("", portal.settings.portal.session_hours)
        request.state.new_session = session
    request.state.session = session
    return session


def _signed_in(request: Request, portal: Portal, password_may_be_one_time: bool = False) -> Account:
    """The account of the request's session; sign-in or the password change page when there is none yet."""
    session = portal.signer.session(request.cookies.get(COOKIE))
    account = portal.accounts.get(session.login) if session and session.login else None
    if account is None or account.generation != session.generation:
        raise SignInNeeded
    request.state.session, request.state.account = session, account
    if account.must_change_password and not password_may_be_one_time:
        raise PasswordChangeNeeded
    return account


def _own_agency(account: Account, code: str, portal: Portal) -> str:
    """`code` when the account may see it: its own agency, or any agency of the catalogue for an operator."""
    if account.agency == code or (account.is_operator and code in portal.agencies()):
        return code
    raise NotFound


async def _form_with_csrf(request: Request, portal: Portal) -> dict[str, str]:
    """A URL-encoded form's fields, once its CSRF token is the session's."""
    form = await request.form(max_files=0, max_fields=8)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    _require_csrf(request, portal, fields)
    return fields


class CsrfRefused(Exception):
    """A form without this session's token: sent by another site, or from a page of an ended session."""


def _require_csrf(request: Request, portal: Portal, fields: dict[str, str]) -> None:
    session = getattr(request.state, "session", None)
    if session is None or not portal.signer.csrf_valid(session, fields.get("csrf")):
        raise CsrfRefused


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _: SignInNeeded) -> Response:
        return RedirectResponse("/dang-nhap", status_code=303)

    @app.exception_handler(PasswordChangeNeeded)
    async def password_change_needed(request: Request, _: PasswordChangeNeeded) -> Response:
        return RedirectResponse("/doi-mat-khau", status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _: NotFound) -> Response:
        return render(request, "message.html", 404, title="Không tìm thấy", text=pages.NOT_FOUND)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        logger.warning("portal: a form without its session's token was refused")
        return render(request, "message.html", 403, title="Biểu mẫu đã hết hạn", text=pages.CSRF_REFUSED)

    @app.exception_handler(404)
    async def no_such_page(request: Request, _: Exception) -> Response:
        return render(request, "message.html", 404, title="Không tìm thấy", text=pages.NOT_FOUND)

    @app.middleware("http")
    async def give_new_sessions(request: Request, call_next) -> Response:
        response = await call_next(request)
        session = getattr(request.state, "new_session", None)
        if session is not None:
            _set_session(request, response, session)
        response.headers.setdefault("x-frame-options", "DENY")
        response.headers.setdefault("x-content-type-options", "nosniff")
        response.headers.setdefault("referrer-policy", "same-origin")
        return response


def _add_sign_in(app: FastAPI, portal: Portal) -> None:
    settings = portal.settings.portal

    @app.get("/")
    def home(request: Request) -> Response:
        account = _signed_in(request, portal)
        if account.is_operator:
            return RedirectResponse("/van-hanh", status_code=303)
        return RedirectResponse(f"/don-vi/{account.agency}", status_code=303)

    @app.get("/dang-nhap")
    def sign_in_page(request: Request) -> Response:
        _visitor(request, portal)
        return render(request, "sign_in.html", account=None)

    @app.post("/dang-nhap")
    async def sign_in(request: Request) -> Response:
        _visitor(request, portal)
        fields = await _form_with_csrf(request, portal)
        login = fields.get("login", "").strip().lower()
        attempt = await run_in_threadpool(
            portal.accounts.sign_in,
            login,
            fields.get("password", ""),
            settings.max_failed_sign_ins,
            dt.timedelta(minutes=settings.lockout_minutes),
        )
        if attempt.account is None:
            logger.info("portal: a sign-in was refused%s", " (account locked)" if attempt.locked else "")
            text = pages.locked(settings.lockout_minutes) if attempt.locked else pages.WRONG_PASSWORD
            return render(request, "sign_in.html", 401, account=None, error=text, login=login)
        account = attempt.account
        logger.info("portal: signed in to %s", account.agency or "the operator's page")
        # A new session, with a new nonce, at sign-in: a session fixed before it (a shared computer) is not reused.
        session = portal.signer.new(account.login, settings.session_hours, account.generation)
        response = RedirectResponse("/doi-mat-khau" if account.must_change_password else "/", status_code=303)
        _set_session(request, response, session)
        return response

    @app.post("/dang-xuat")
    async def sign_out(request: Request) -> Response:
        _signed_in(request, portal, password_may_be_one_time=True)
        await _form_with_csrf(request, portal)
        response = RedirectResponse("/dang-nhap", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/doi-mat-khau")
    def password_page(request: Request) -> Response:
        account = _signed_in(request, portal, password_may_be_one_time=True)
        return render(request, "password.html", first_time=account.must_change_password)

    @app.post("/doi-mat-khau")
    async def change_password(request: Request) -> Response:
        account = _signed_in(request, portal, password_may_be_one_time=True)
        fields = await _form_with_csrf(request, portal)
        password, again = fields.get("password", ""), fields.get("again", "")
        error = pages.password_problem(password, again, MIN_PASSWORD_LENGTH)
        if error:
            return render(request, "password.html", 400, first_time=account.must_change_password, error=error)
        changed = await run_in_threadpool(portal.accounts.change_password, account.login, password)
        response = RedirectResponse("/", status_code=303)
        _set_session(request, response, portal.signer.new(changed.login, settings.session_hours, changed.generation))
        return response


def _add_checking(app: FastAPI, portal: Portal) -> None:
    @app.get("/kiem-tra")
    def check_page(request: Request) -> Response:
        account = _signed_in(request, portal)
        return render(request, "check.html", **_check_form_values(account, portal))

    @app.post("/kiem-tra")
    async def check(request: Request) -> Response:
        account = _signed_in(request, portal)
        try:
            upload = await read_upload(request, portal.max_upload_bytes)
        except TooLarge:
            logger.info("portal: an upload over the size limit was refused")
            text = pages.too_large(portal.settings.limits.max_file_mb)
            return render(request, "check.html", 413, error=text, **_check_form_values(account, portal))
        except BadForm:
            return render(request, "check.html", 400, error=pages.NO_FILE, **_check_form_values(account, portal))
        try:
            _require_csrf(request, portal, upload.fields)
            agency = account.agency or _own_agency(account, upload.fields.get("agency", ""), portal)
            suffix = Path(upload.file.filename or "").suffix.lower()
            if suffix not in ACCEPTED_SUFFIXES:
                text = pages.WRONG_FORMAT
                return render(request, "check.html", 400, error=text, **_check_form_values(account, portal))
            folder = portal.checks.new_folder()
            target = folder / f"danh-sach{suffix}"
            with target.open("wb") as out:
                await run_in_threadpool(shutil.copyfileobj, upload.file.file, out)
        finally:
            await upload.file.close()
        sent_as = pages.shown_name(upload.file.filename or "")
        checked = await run_in_threadpool(portal.checks.check, folder, target, sent_as, agency)
        logger.info("portal: a list of %s was checked", agency)
        return RedirectResponse(f"/kiem-tra/{checked.token}", status_code=303)

    @app.get("/kiem-tra/{token}")
    def check_result(request: Request, token: str) -> Response:
        account = _signed_in(request, portal)
        checked = portal.checks.get(token, account.agency)
        if checked is None:
            raise NotFound
        return render(request, "result.html", **pages.result_values(checked, _next_night(portal)))

    @app.get("/kiem-tra/{token}/danh-dau.xlsx")
    def marked_copy(request: Request, token: str) -> Response:
        account = _signed_in(request, portal)
        checked = portal.checks.get(token, account.agency)
        if checked is None or checked.marked is None:
            raise NotFound
        return FileResponse(checked.marked, filename="danh-sach-da-danh-dau.xlsx", headers=_private())

    @app.post("/kiem-tra/{token}/gui")
    async def send_list(request: Request, token: str) -> Response:
        account = _signed_in(request, portal)
        fields = await _form_with_csrf(request, portal)
        checked = portal.checks.get(token, account.agency)
        if checked is None:
            raise NotFound
        if checked.has_errors and fields.get("confirm") != "1":
            values = pages.result_values(checked, _next_night(portal))
            return render(request, "result.html", 400, confirm_needed=True, **values)
        await run_in_threadpool(send, checked, portal.workspace.inbox, dt.datetime.now())
        portal.checks.discard(token)
        return RedirectResponse(f"/don-vi/{checked.agency}?da-gui=1", status_code=303)


def _check_form_values(account: Account, portal: Portal) -> dict:
    return {
        "agencies": portal.agencies() if account.is_operator else {},
        "max_file_mb": portal.settings.limits.max_file_mb,
        "suffixes": ", ".join(ACCEPTED_SUFFIXES),
    }


def _add_agency_pages(app: FastAPI, portal: Portal) -> None:
    @app.get("/don-vi/{code}")
    def agency_page(request: Request, code: str) -> Response:
        account = _signed_in(request, portal)
        code = _own_agency(account, code, portal)
        feedback = pages.feedback_files(_feedback_folder(portal, code))
        values = pages.agency_values(portal.workspace.published, code, portal.agencies().get(code))
        just_sent = request.query_params.get("da-gui") == "1"
        return render(
            request, "agency.html", feedback=feedback, just_sent=just_sent, next_night=_next_night(portal), **values
        )

    @app.get("/don-vi/{code}/phan-hoi/{file_id}")
    def feedback_file(request: Request, code: str, file_id: str) -> Response:
        account = _signed_in(request, portal)
        code = _own_agency(account, code, portal)
        found = next((f for f in pages.feedback_files(_feedback_folder(portal, code)) if f.file_id == file_id), None)
        if found is None:
            raise NotFound
        return FileResponse(found.path, filename=found.name, headers=_private())

    @app.get("/don-vi/{code}/mau-danh-sach.xlsx")
    async def template(request: Request, code: str) -> Response:
        account = _signed_in(request, portal)
        code = _own_agency(account, code, portal)
        folder = Path(tempfile.mkdtemp(prefix="staffq-template-"))
        path = await run_in_threadpool(write_template, folder / "mau.xlsx", None, portal.agencies().get(code, ""))
        return FileResponse(
            path,
            filename="mau-danh-sach.xlsx",
            headers=_private(),
            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
        )

    @app.get("/van-hanh")
    def operator_page(request: Request) -> Response:
        account = _signed_in(request, portal)
        if not account.is_operator:
            raise NotFound
        values = pages.operator_values(portal.workspace.published, portal.agencies(), portal.prefect_ui)
        return render(request, "operator.html", **values)


def _feedback_folder(portal: Portal, code: str) -> Path:
    return portal.workspace.outbox / feedback_name(code, "")


def _next_night(portal: Portal) -> dt.datetime | None:
    return pages.next_night(portal.settings.schedule, dt.datetime.now().astimezone())


def _private() -> dict[str, str]:
    return {"cache-control": "no-store"}

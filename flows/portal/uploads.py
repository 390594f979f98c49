"""An upload read within the [limits] of the workspace: a body that says it is larger is refused before it is read,
and one that turns out larger is refused at the byte that crosses the limit, its part already spooled thrown away."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

# Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 64 * 1024


class TooLarge(Exception):
    """The upload is over the limit."""


class BadForm(Exception):
    """Not a form with one file: a page the portal did not serve, or a broken upload."""


@dataclass(frozen=True)
class Upload:
    """The form's fields, and its one file (not yet stored anywhere of staffq's)."""

    fields: dict[str, str]
    file: UploadFile


async def read_upload(request: Request, max_bytes: int) -> Upload:
    """The form of `request` with one file of at most `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _FORM_OVERHEAD:
        raise TooLarge
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadForm("not a multipart form")
    parser = MultiPartParser(request.headers, _counted(request, max_bytes + _FORM_OVERHEAD), max_files=1, max_fields=8)
    try:
        form: FormData = await parser.parse()
    except MultiPartException as error:
        raise BadForm(str(error)) from error
    files = [value for value in form.values() if isinstance(value, UploadFile)]
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if len(files) != 1:
        await form.close()
        raise BadForm("no file in the form")
    if files[0].size is not None and files[0].size > max_bytes:
        await form.close()
        raise TooLarge
    return Upload(fields, files[0])


async def _counted(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body as it streams in, stopped past `limit` bytes."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise TooLarge
        yield chunk

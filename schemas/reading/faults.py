"""A file that cannot be opened as a spreadsheet, and a reason for it the clerk can act on."""

from __future__ import annotations

_KNOWN_FAILURES = (
    (("password", "encrypt"), "tệp được đặt mật khẩu", "the file is password-protected"),
    (
        ("zip", "eocd", "cfb", "crc", "not a valid", "invalid"),
        "tệp bị hỏng hoặc không phải tệp Excel",
        "the file is damaged or not an Excel file",
    ),
)


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet. `reason` is shown to the clerk, in Vietnamese only; `reason_en`
    and the reader's own words (`detail`, English text of a library the clerk cannot act on) are for the log."""

    def __init__(self, reason: str, reason_en: str, detail: str = ""):
        super().__init__(f"{reason_en}: {detail}" if detail else reason_en)
        self.reason = reason
        self.reason_en = reason_en
        self.detail = detail

    @property
    def explained_en(self) -> str:
        """The English reason with the reader's words, as the log and message_en give it."""
        return f"{self.reason_en}; the reader said: {self.detail}" if self.detail else self.reason_en


def unreadable(error: Exception) -> UnreadableFile:
    """A reason the clerk understands, in Vietnamese; the reader's own words are kept for the operator."""
    detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
    lowered = detail.lower()
    for markers, reason, reason_en in _KNOWN_FAILURES:
        if any(marker in lowered for marker in markers):
            return UnreadableFile(reason, reason_en, detail)
    return UnreadableFile("không đọc được nội dung của tệp", "its content cannot be read", detail)

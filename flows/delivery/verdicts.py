"""What became of a list, in the clerk's words: one wording for `staffq check` (before the list is sent) and the
feedback workbook (after), in Vietnamese for the clerk and in English for `check --lang en`."""

from __future__ import annotations

import polars as pl

LANGUAGES = ("vi", "en")
_VERDICTS = {
    "accepted": ("Được tiếp nhận", "Accepted"),
    "accepted_with_errors": ("Được tiếp nhận, có dòng bị trả lại", "Accepted, with rows returned"),
    "rejected": ("Bị trả lại cả danh sách", "Returned whole"),
    "duplicate": ("Trùng tệp đã gửi, không đọc lại", "A copy of a file already sent, not read again"),
}
_WHY = {
    "accepted": ("không có lỗi nào", "no errors"),
    "accepted_with_errors": ("chỉ những dòng có lỗi bị trả lại", "only the rows with errors are returned"),
}
# What to do next, by status, (before sending, after sending).
_NEXT = {
    "accepted": (
        ("Có thể gửi tệp này.", "The file can be sent."),
        ("Không cần gửi lại.", "Nothing needs to be sent again."),
    ),
    "accepted_with_errors": (
        (
            "Sửa các dòng có lỗi rồi kiểm tra lại trước khi gửi; nếu gửi ngay, các dòng đó bị trả lại.",
            "Fix the rows with errors and check again before sending; sent as it is, those rows are returned.",
        ),
        (
            "Sửa các dòng bị trả lại (ô tô màu đỏ) rồi gửi lại cả danh sách; danh sách mới sẽ thay danh sách này.",
            "Fix the returned rows (cells marked red) and send the whole list again; it replaces this one.",
        ),
    ),
    "rejected": (
        (
            "Sửa các lỗi rồi kiểm tra lại trước khi gửi; nếu gửi ngay, cả danh sách bị trả lại.",
            "Fix the errors and check again before sending; sent as it is, the whole list is returned.",
        ),
        (
            # "If any": an agency's first list, or a folder not in the catalogue, has nothing received before.
            "Sửa các lỗi dưới đây rồi gửi lại cả danh sách; đến khi đó danh sách đã nhận trước đây (nếu có) vẫn "
            "được dùng.",
            "Fix the errors below and send the whole list again; until then the list received before, if any, is used.",
        ),
    ),
    "duplicate": (("", ""), ("Không cần gửi lại.", "Nothing needs to be sent again.")),
}
_WARNINGS_TOO = (" Xem thêm các cảnh báo.", " See the warnings too.")


def verdict(status: str, lang: str = "vi") -> str:
    """The status as the clerk reads it."""
    return _VERDICTS[status][_index(lang)]


def reason(status: str, issues: pl.DataFrame, lang: str = "vi") -> str:
    """Why: for a list returned whole, the problems of the file as a whole that returned it (a message each)."""
    if status in _WHY:
        return _WHY[status][_index(lang)]
    if status != "rejected":
        return ""
    message = "message_vi" if lang == "vi" else "message_en"
    whole_file = issues.filter(pl.col("row_number").is_null() & (pl.col("severity") == "error"))
    return " ".join(whole_file[message].unique(maintain_order=True).to_list())


def next_step(status: str, has_warnings: bool, sent: bool, lang: str = "vi") -> str:
    """What the clerk does now, before sending the list (`staffq check`) or after (the feedback)."""
    i = _index(lang)
    step = _NEXT[status][int(sent)][i]
    return step + _WARNINGS_TOO[i] if has_warnings and status != "duplicate" else step


def _index(lang: str) -> int:
    return LANGUAGES.index(lang)

"""The HTML report as its readers act on it: a narrative that does not contradict itself, numbers written as
Vietnamese writes them, trends on a date axis only when there is a trend, whom to chase, and shares per agency."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from flows.reports.city import CityReport, Target, count_text, narrative, render_markdown, share_text
from flows.reports.html import HtmlData, render_html

AS_OF = dt.date(2025, 2, 28)
# A4 is 210 mm wide; the page prints with 12 mm margins, 186 mm at 96 px per inch.
A4_PRINTABLE_PX = 186 / 25.4 * 96


def city(**values: float) -> CityReport:
    """A city's figures by indicator code (dots written as double underscores)."""
    return CityReport(AS_OF, {code.replace("__", "."): value for code, value in values.items()})


def agency(code: str, name: str | None, **facts) -> dict:
    """A row of analytics.agency_data_quality: an expected monthly agency with a current list and nothing to fix,
    unless told otherwise."""
    row = {
        "agency_code": code,
        "agency_name": name,
        "agency_group": "government",
        "expected_cadence": "monthly",
        "is_expected": True,
        "has_list": True,
        "list_as_of_date": AS_OF,
        "is_late": False,
        "rows_loaded": 10,
        "rows_read": 10,
        "rows_rejected": 0,
        "rows_warned": 0,
        "files_rejected": 0,
        "errors": 0,
        "warnings": 0,
    }
    return row | facts


def history(*dates: dt.date) -> list[dict]:
    return [
        {"as_of_date": date, "indicator_code": code, "value": value}
        for date in dates
        for code, value in (
            ("staff.total", 2886),
            ("leaders.total", 244),
            ("leaders.under_40", 0.122),
            ("leaders.women", 0.311),
        )
    ]


def page(report: CityReport | None = None, dates=(AS_OF,), agencies=()) -> str:
    report = report or city(staff__total=2886, leaders__total=244)
    return render_html(report, HtmlData(history=history(*dates), pyramid=[], agencies=list(agencies)))


def figures(html_page: str) -> dict[str, tuple[list, dict]]:
    """Every plotly chart of the page by its div id: its traces and its layout, as plotly.js receives them."""
    found = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r'Plotly\.newPlot\(\s*"([\w-]+)",\s*', html_page):
        data, end = decoder.raw_decode(html_page, match.end())
        layout, _ = decoder.raw_decode(html_page, html_page.index("{", end))
        found[match.group(1)] = (data, layout)
    return found


class _Tables(HTMLParser):
    """The text of every table cell, table by table, row by row."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_after(html_page: str, heading: str) -> list[list[str]]:
    """The first table after a heading's text, as rows of cell texts (the header row first)."""
    parser = _Tables()
    parser.feed(html_page[html_page.index(heading) :])
    return parser.tables[0]


def test_numbers_are_written_the_vietnamese_way():
    assert [count_text(2886), count_text(1234567), count_text(0)] == ["2.886", "1.234.567", "0"]
    assert [share_text(0.67), share_text(1 / 3), share_text(0), share_text(12.3456)] == [
        "67,0 %",
        "33,3 %",
        "0,0 %",
        "1.234,6 %",
    ]
    report = CityReport(
        AS_OF,
        {"planning.women": 0.67, "staff.total": 2886},
        {"planning.women": Target(0.25, None, True)},
    )
    assert "| Tỷ lệ nữ | `planning.women` | 67,0 % | ≥ 25,0 % · đạt |" in render_markdown(report)
    # Every chart writes a decimal comma and a thousands dot.
    separators = {layout.get("separators") for _, layout in figures(page(dates=(AS_OF, AS_OF.replace(day=1)))).values()}
    assert separators == {",."}


@pytest.mark.parametrize(
    ("submitted", "late", "sentence"),
    [
        (48, 0, "Số liệu tổng hợp từ danh sách của 48/48 đơn vị phải báo cáo."),
        (1, 47, "Số liệu tổng hợp từ danh sách của 1/48 đơn vị phải báo cáo; 47 đơn vị chưa có danh sách."),
        (
            48,
            48,
            "Số liệu tổng hợp từ danh sách của 48/48 đơn vị phải báo cáo; "
            "48 đơn vị có danh sách đã quá hạn theo kỳ báo cáo.",
        ),
        (
            45,
            5,
            "Số liệu tổng hợp từ danh sách của 45/48 đơn vị phải báo cáo; 3 đơn vị chưa có danh sách; "
            "2 đơn vị có danh sách đã quá hạn theo kỳ báo cáo.",
        ),
    ],
)
def test_the_narrative_tells_missing_lists_from_out_of_date_ones(submitted, late, sentence):
    report = city(
        staff__total=2886,
        leaders__total=244,
        data__agencies_expected=48,
        data__agencies_submitted=submitted,
        data__agencies_late=late,
    )
    assert narrative(report).endswith(sentence)


def test_a_trend_needs_two_as_of_dates_and_is_drawn_on_a_date_axis():
    one_date = page(dates=(AS_OF,))
    assert not [div for div in figures(one_date) if div.startswith("chart-trend")]
    assert "Mới có số liệu tính đến một ngày (28/02/2025), nên chưa vẽ được diễn biến" in one_date

    earlier = dt.date(2024, 12, 31)
    two_dates = figures(page(dates=(earlier, AS_OF)))
    data, layout = two_dates["chart-trend-counts"]
    assert layout["xaxis"]["type"] == "date"
    assert layout["xaxis"]["tickformat"] == "%d/%m/%Y"
    assert layout["xaxis"]["tickvals"] == ["2024-12-31", "2025-02-28"]
    assert [(trace["name"], trace["x"], trace["text"]) for trace in data] == [
        ("Tổng số CBCCVC, NLĐ", ["2024-12-31", "2025-02-28"], ["2.886", "2.886"]),
        ("CBLĐ, QL", ["2024-12-31", "2025-02-28"], ["244", "244"]),
    ]
    data, _ = two_dates["chart-trend-shares"]
    assert [trace["text"] for trace in data] == [["12,2 %", "12,2 %"], ["31,1 %", "31,1 %"]]


def test_late_agencies_are_listed_to_be_chased_those_without_a_list_first():
    agencies = [
        agency("UB-NV", "Phòng Nội vụ"),
        agency("UB-TP", "Phòng Tư pháp", is_late=True, list_as_of_date=dt.date(2024, 11, 30)),
        agency("UB-YT", "Phòng Y tế", is_late=True, has_list=False, list_as_of_date=None, rows_loaded=0),
        agency("TU-BTG", "Ban Tuyên giáo", expected_cadence="quarterly", is_late=True, list_as_of_date=AS_OF),
    ]
    rows = table_after(page(agencies=agencies), "Đơn vị cần nhắc gửi danh sách (3/4)")
    assert rows == [
        ["đơn vị", "mã", "kỳ báo cáo", "danh sách hiện hành tính đến ngày"],
        ["Phòng Y tế", "UB-YT", "hằng tháng", "chưa có danh sách"],
        ["Phòng Tư pháp", "UB-TP", "hằng tháng", "30/11/2024"],
        ["Ban Tuyên giáo", "TU-BTG", "hằng quý", "28/02/2025"],
    ]
    on_time = page(agencies=[agency("UB-NV", "Phòng Nội vụ"), agency("X", None, is_expected=False)])
    assert "Cả 1 đơn vị phải báo cáo đều đã có danh sách đúng kỳ." in on_time


def test_data_quality_is_a_share_per_agency_worst_first_with_unknown_folders_named():
    agencies = [
        agency("SN-TH", "Khối trường tiểu học", rows_read=815, rows_warned=6),
        agency("UB-NV", "Phòng Nội vụ"),
        agency("MT-HND", "Hội Nông dân", rows_read=12, rows_rejected=2, rows_loaded=10),
        agency("SN-TTYT", "Trung tâm Y tế thành phố", rows_read=217, rows_warned=81),
        agency(
            "UB-DANTOC",
            None,
            agency_group=None,
            expected_cadence=None,
            is_expected=False,
            has_list=False,
            rows_read=5,
            rows_rejected=5,
            rows_warned=1,
            files_rejected=1,
        ),
    ]
    html_page = page(agencies=agencies)
    rows = table_after(html_page, "Tỷ lệ dòng bị trả lại và dòng có cảnh báo, theo đơn vị")
    assert rows == [
        ["đơn vị", "dòng đã gửi", "bị trả lại", "có cảnh báo"],
        ["Không rõ đơn vị (thư mục UB-DANTOC)", "5", "5/5 · 100,0 %", "1/5 · 20,0 %"],
        ["Hội Nông dân MT-HND", "12", "2/12 · 16,7 %", ""],
        ["Trung tâm Y tế thành phố SN-TTYT", "217", "", "81/217 · 37,3 %"],
        ["Khối trường tiểu học SN-TH", "815", "", "6/815 · 0,7 %"],
    ]
    assert "1 đơn vị khác gửi danh sách không có dòng bị trả lại hay có cảnh báo." in html_page
    assert re.sub(r"<[^>]+>", "", html_page.split("Tệp bị trả lại cả tệp", 1)[1].split("</p>", 1)[0]) == (
        " (1): Không rõ đơn vị (thư mục UB-DANTOC): 1 tệp."
    )


def test_every_chart_fits_an_a4_page_with_its_legend_above_the_plot():
    report = CityReport(
        AS_OF,
        {"planning.women": 0.57, "planning.under_40": 0.67, "staff.total": 2886, "leaders.total": 244},
        {"planning.women": Target(0.25, None, True), "planning.under_40": Target(0.15, None, True)},
    )
    charts = figures(page(report, dates=(dt.date(2024, 12, 31), AS_OF)))
    assert len(charts) == 6
    for div_id, (_, layout) in charts.items():
        assert layout["width"] <= A4_PRINTABLE_PX, div_id
        assert (layout["legend"]["orientation"], layout["legend"]["yanchor"]) == ("h", "bottom"), div_id

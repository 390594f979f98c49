"""`staffq report --format html`: one self-contained page — narrative, charts, whom to chase, the indicator tables —
that opens from a shared drive or an e-mail attachment with no network and prints on A4. Charts are plotly figures
with plotly.js inlined once; every text of ours is HTML-escaped, and plotly escapes what it embeds. Numbers are
written as Vietnamese (vi-VN) writes them, by flows.reports.city in our texts and by plotly's separators on the axes."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import duckdb
import plotly.graph_objects as go

from flows.reports.city import SECTIONS, CityReport, count_text, narrative, share_text, target_text
from warehouse import queries

_LEADER_EDUCATION = SECTIONS[1][1]
_LEADER_THEORY = SECTIONS[2][1]
_TREND_COUNTS = (("staff.total", "Tổng số CBCCVC, NLĐ"), ("leaders.total", "CBLĐ, QL"))
_TREND_SHARES = (("leaders.under_40", "CBLĐ, QL dưới 40 tuổi"), ("leaders.women", "CBLĐ, QL nữ"))
TREND_CODES = [code for code, _ in (*_TREND_COUNTS, *_TREND_SHARES)]
_TARGET_LABELS = {
    "planning.under_40": "Quy hoạch: dưới 40 tuổi",
    "planning.women": "Quy hoạch: nữ",
    "evaluation.excellent_share_of_good": "Xuất sắc so với tốt",
}
_CADENCE = {"monthly": "hằng tháng", "quarterly": "hằng quý", "yearly": "hằng năm"}
_UNKNOWN_AGENCY = "Không rõ đơn vị"
# Up to this many as-of dates, each gets its own tick; beyond, plotly spaces the ticks.
_DATE_TICKS = 8
_BLUE, _RED, _GREEN = "#1f5fa8", "#c0392b", "#2e8b57"
# Every chart the same fixed size, narrower than an A4 page less its margins: what is drawn on screen is what
# prints (a chart sized to the window is drawn once, and a printed page narrower than it cuts it off).
_CHART_WIDTH, _CHART_HEIGHT = 560, 380
# Decimal comma, thousands dot, as vi-VN writes numbers: 2.886 and 67,0.
_SEPARATORS = ",."
_LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}
_STYLE = """
body { font-family: "Segoe UI", "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1180px;
       color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #d5dbe1; }
.narrative { font-size: 1.08em; background: #f4f7fa; padding: 12px 16px; border-left: 4px solid #1f5fa8; }
.note { color: #5a6877; font-style: italic; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, CHART_WIDTHpx); gap: 8px 24px; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { border: 1px solid #d5dbe1; padding: 3px 10px; }
th { background: #f4f7fa; text-align: left; }
td.number { text-align: right; white-space: nowrap; }
code { color: #5a6877; font-size: 0.85em; white-space: nowrap; }
.missed { color: #c0392b; font-weight: bold; }
table.shares td.share { position: relative; width: 180px; }
table.shares .bar { position: absolute; left: 0; top: 3px; bottom: 3px; opacity: 0.35; }
table.shares .bar.returned { background: #c0392b; } table.shares .bar.warned { background: #e69b00; }
table.shares td.share span:last-child { position: relative; white-space: nowrap; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .charts { display: block; }
  .chart { break-inside: avoid; page-break-inside: avoid; margin-bottom: 8px; }
  .bar { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table.shares td.share { width: 130px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
}
""".replace("CHART_WIDTH", str(_CHART_WIDTH))


@dataclass(frozen=True)
class HtmlData:
    """What the page shows besides the city's figures of the day."""

    history: list[dict]
    pyramid: list[dict]
    agencies: list[dict]


@dataclass(frozen=True)
class _Chart:
    div_id: str
    title: str
    figure: go.Figure


def render_html(report: CityReport, data: HtmlData) -> str:
    """The whole page."""
    figures = [
        _Chart("chart-leaders-education", "Trình độ chuyên môn của CBLĐ, QL", _bars(report, _LEADER_EDUCATION)),
        _Chart("chart-leaders-theory", "Lý luận chính trị của CBLĐ, QL", _bars(report, _LEADER_THEORY)),
        _Chart("chart-age-pyramid", "Tháp tuổi theo giới tính", _pyramid(data.pyramid)),
        _Chart("chart-targets", "So với mục tiêu", _targets(report)),
    ]
    dates = sorted({row["as_of_date"] for row in data.history})
    trends = []
    if len(dates) >= 2:
        trends = [
            _Chart("chart-trend-counts", "Số lượng qua các kỳ", _trend(data.history, _TREND_COUNTS, share=False)),
            _Chart(
                "chart-trend-shares", "Tỷ lệ trẻ hóa, nữ qua các kỳ", _trend(data.history, _TREND_SHARES, share=True)
            ),
        ]
    embedded = _embed([*figures, *trends])
    title = f"Báo cáo chất lượng đội ngũ, tính đến ngày {report.as_of:%d/%m/%Y}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="narrative">{html.escape(narrative(report))}</p>',
            _grid(embedded, figures),
            "<h2>Diễn biến qua các kỳ</h2>",
            _grid(embedded, trends) if trends else _paragraph(_no_history(dates, report.as_of), "note"),
            "<h2>Dữ liệu của các đơn vị</h2>",
            *_late_agencies(data.agencies),
            *_data_quality(data.agencies),
            *_quality_notes(data.agencies),
            *_tables(report),
            f"<p><small>Lập bằng staffq ngày {dt.date.today():%d/%m/%Y}.</small></p>",
            "</body></html>",
        ]
    )


def _embed(charts: list[_Chart]) -> dict[str, str]:
    """Each chart as a div by its id, plotly.js inlined in the first; the legend above the plot (a legend at the
    side is what gets cut off on paper)."""
    embedded = {}
    for index, chart in enumerate(charts):
        chart.figure.update_layout(
            title=chart.title,
            margin={"l": 60, "r": 20, "t": 80, "b": 40},
            template="plotly_white",
            separators=_SEPARATORS,
            legend=_LEGEND_ABOVE,
            width=_CHART_WIDTH,
            height=_CHART_HEIGHT,
        )
        body = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            div_id=chart.div_id,
            config={"displayModeBar": False},
        )
        embedded[chart.div_id] = f'<div class="chart">{body}</div>'
    return embedded


def _grid(embedded: dict[str, str], charts: list[_Chart]) -> str:
    return "\n".join(['<div class="charts">', *(embedded[chart.div_id] for chart in charts), "</div>"])


def _paragraph(text: str, css: str) -> str:
    return f'<p class="{css}">{html.escape(text)}</p>'


def _no_history(dates: list[dt.date], as_of: dt.date) -> str:
    """What stands in for the trend charts while a trend needs a second as-of date."""
    only = dates[0] if dates else as_of
    return (
        f"Mới có số liệu tính đến một ngày ({only:%d/%m/%Y}), nên chưa vẽ được diễn biến; "
        "biểu đồ sẽ có khi số liệu đã được tính cho ít nhất hai ngày."
    )


def _agency_label(agency: dict) -> str:
    """The agency's Vietnamese name, its code after it, as HTML; a folder outside the catalogue by its code alone."""
    code = f"<code>{html.escape(agency['agency_code'])}</code>"
    if agency["agency_name"]:
        return f"{html.escape(agency['agency_name'])} {code}"
    return f"{_UNKNOWN_AGENCY} (thư mục {code})"


def _late_agencies(agencies: list[dict]) -> list[str]:
    """Whom to chase: every expected agency without a list, or whose list is older than its cadence allows."""
    expected = [agency for agency in agencies if agency["is_expected"]]
    late = [agency for agency in expected if agency["is_late"]]
    if not late:
        return [_paragraph(f"Cả {count_text(len(expected))} đơn vị phải báo cáo đều đã có danh sách đúng kỳ.", "note")]
    late.sort(key=lambda agency: (agency["has_list"], agency["list_as_of_date"] or dt.date.min, agency["agency_code"]))
    rows = [
        "<tr>"
        f"<td>{html.escape(agency['agency_name'] or agency['agency_code'])}</td>"
        f"<td><code>{html.escape(agency['agency_code'])}</code></td>"
        f"<td>{_CADENCE.get(agency['expected_cadence'], html.escape(agency['expected_cadence'] or ''))}</td>"
        f"<td>{f'{date:%d/%m/%Y}' if (date := agency['list_as_of_date']) else 'chưa có danh sách'}</td>"
        "</tr>"
        for agency in late
    ]
    return [
        f"<h3>Đơn vị cần nhắc gửi danh sách ({count_text(len(late))}/{count_text(len(expected))})</h3>",
        _paragraph("Chưa có danh sách, hoặc danh sách hiện hành cũ hơn kỳ báo cáo của đơn vị cho phép.", "note"),
        "<table><thead><tr><th>đơn vị</th><th>mã</th><th>kỳ báo cáo</th><th>danh sách hiện hành tính đến ngày</th>"
        "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _quality_notes(agencies: list[dict]) -> list[str]:
    """What the shares cannot show: the agencies with nothing to fix, and the files returned whole."""
    clean = [a for a in agencies if a["rows_read"] and not a["rows_rejected"] and not a["rows_warned"]]
    returned = [a for a in agencies if a["files_rejected"]]
    notes = []
    if clean:
        text = f"{count_text(len(clean))} đơn vị khác gửi danh sách không có dòng bị trả lại hay có cảnh báo."
        notes.append(_paragraph(text, "note"))
    if returned:
        total = html.escape(f"Tệp bị trả lại cả tệp ({count_text(sum(a['files_rejected'] for a in returned))}): ")
        files = "; ".join(f"{_agency_label(a)}: {count_text(a['files_rejected'])} tệp" for a in returned)
        notes.append(f'<p class="note">{total}{files}.</p>')
    return notes


def _bars(report: CityReport, rows: tuple[tuple[str, str], ...]) -> go.Figure:
    labels = [label for label, _ in rows]
    values = [report.values.get(code) or 0 for _, code in rows]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=[count_text(value) for value in values],
            textposition="outside",
            hovertemplate="%{x}: %{text} người<extra></extra>",
            marker_color=_BLUE,
        )
    )
    figure.update_layout(yaxis_title="người", yaxis_tickformat=",d")
    return figure


def _pyramid(rows: list[dict]) -> go.Figure:
    bands = sorted({(row["band_start"], row["band"]) for row in rows})
    labels = [band for _, band in bands]
    count = {(row["band"], row["gender"]): row["people"] for row in rows}
    men = [count.get((band, "male"), 0) for band in labels]
    women = [count.get((band, "female"), 0) for band in labels]
    figure = go.Figure(
        [
            go.Bar(
                y=labels,
                x=[-m for m in men],
                orientation="h",
                name="Nam",
                marker_color=_BLUE,
                customdata=[count_text(m) for m in men],
            ),
            go.Bar(
                y=labels,
                x=women,
                orientation="h",
                name="Nữ",
                marker_color=_RED,
                customdata=[count_text(w) for w in women],
            ),
        ]
    )
    figure.update_traces(hovertemplate="%{fullData.name}, %{y} tuổi: %{customdata} người<extra></extra>")
    largest = max([*women, *men, 1])
    step = _tick_step(largest)
    ticks = list(range(-(largest // step) * step, largest + 1, step))
    figure.update_layout(
        barmode="relative",
        xaxis={
            "title": "người (nam bên trái, nữ bên phải)",
            "tickvals": ticks,
            "ticktext": [count_text(abs(t)) for t in ticks],
        },
        yaxis_title="tuổi",
    )
    return figure


def _tick_step(largest: int) -> int:
    """A round tick step giving about four ticks on each side."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest / step <= 5:
            return step
    return 10 ** len(str(largest))


def _targets(report: CityReport) -> go.Figure:
    codes = [code for code in _TARGET_LABELS if code in report.targets]
    labels = [_TARGET_LABELS[code] for code in codes]
    shares = [report.values.get(code) or 0 for code in codes]
    colours = [_GREEN if report.targets[code].is_met else _RED for code in codes]
    figure = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[share * 100 for share in shares],
                name="Thực tế (xanh: đạt, đỏ: chưa đạt)",
                marker_color=colours,
                text=[share_text(share) for share in shares],
                hovertemplate="%{x}: %{text}<extra></extra>",
            ),
            go.Scatter(
                x=labels,
                y=[report.targets[code].limit * 100 for code in codes],
                name="Mục tiêu",
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 46, "line": {"width": 3, "color": "#1d2733"}},
                text=[target_text(report, code) for code in codes],
                hovertemplate="Mục tiêu %{text}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(yaxis={"title": "tỷ lệ", "ticksuffix": " %", "rangemode": "tozero"})
    return figure


def _trend(history: list[dict], series: tuple[tuple[str, str], ...], share: bool) -> go.Figure:
    """One line per indicator over the as-of dates, on a date axis (the dates are days, spaced as they fall)."""
    figure = go.Figure()
    dates = sorted({row["as_of_date"] for row in history})
    for code, label in series:
        points = [row for row in history if row["indicator_code"] == code and row["value"] is not None]
        figure.add_trace(
            go.Scatter(
                x=[row["as_of_date"] for row in points],
                y=[row["value"] * 100 if share else row["value"] for row in points],
                text=[share_text(row["value"]) if share else count_text(row["value"]) for row in points],
                name=label,
                mode="lines+markers",
                hovertemplate="%{fullData.name}, %{x|%d/%m/%Y}: %{text}<extra></extra>",
            )
        )
    # A margin of an eighth of the span each side keeps the first and last dates' labels clear of the axes.
    first, last = (dt.datetime.combine(date, dt.time()) for date in (dates[0], dates[-1]))
    margin = (last - first) / 8
    xaxis = {"type": "date", "tickformat": "%d/%m/%Y", "title": "tính đến ngày"}
    xaxis["range"] = [first - margin, last + margin]
    if len(dates) <= _DATE_TICKS:
        xaxis["tickvals"] = dates
    yaxis = {"rangemode": "tozero", "title": "tỷ lệ" if share else "người"}
    yaxis.update({"ticksuffix": " %"} if share else {"tickformat": ",d"})
    figure.update_layout(xaxis=xaxis, yaxis=yaxis)
    return figure


def _data_quality(agencies: list[dict]) -> list[str]:
    """Per agency that sent rows with anything to fix, worst first: the share of its rows returned and the share
    with a warning, as bars in a table. Shares, so a school of 800 rows and an office of 8 read on one scale; a
    table, so that 48 agencies stay readable and print across pages with the header repeated."""
    shown = [a for a in agencies if a["rows_read"] and (a["rows_rejected"] or a["rows_warned"])]
    if not shown:
        return []
    shown.sort(key=lambda a: (-a["rows_rejected"] / a["rows_read"], -a["rows_warned"] / a["rows_read"]))
    rows = [
        "<tr>"
        f"<td>{_agency_label(a)}</td>"
        f'<td class="number">{count_text(a["rows_read"])}</td>'
        f"{_share_cell(a['rows_rejected'], a['rows_read'], 'returned')}"
        f"{_share_cell(a['rows_warned'], a['rows_read'], 'warned')}"
        "</tr>"
        for a in shown
    ]
    return [
        "<h3>Tỷ lệ dòng bị trả lại và dòng có cảnh báo, theo đơn vị</h3>",
        '<table class="shares"><thead><tr><th>đơn vị</th><th>dòng đã gửi</th><th>bị trả lại</th>'
        # Not "(vẫn được nhận)": a row with a warning in a list returned whole was not taken.
        "<th>có cảnh báo</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _share_cell(part: int, whole: int, css: str) -> str:
    """A share as a bar to scale and its figures: "6/31 · 19,4 %"; empty for none."""
    if not part:
        return '<td class="share"></td>'
    share = part / whole
    return (
        f'<td class="share"><span class="bar {css}" style="width: {share * 100:.1f}%"></span>'
        f"<span>{count_text(part)}/{count_text(whole)} · {share_text(share)}</span></td>"
    )


def _tables(report: CityReport) -> list[str]:
    parts = []
    for title, rows in SECTIONS:
        parts.append(f"<h2>{html.escape(title)}</h2><table><thead><tr><th>chỉ tiêu</th><th>giá trị</th>")
        parts.append("<th>mục tiêu</th><th>mã chỉ tiêu</th></tr></thead><tbody>")
        for label, code in rows:
            target = report.targets.get(code)
            css = ' class="missed"' if target and not target.is_met else ""
            target_cell = html.escape(target_text(report, code))
            parts.append(
                f'<tr><td>{html.escape(label)}</td><td class="number">{report.show(code)}</td>'
                f"<td{css}>{target_cell}</td><td><code>{code}</code></td></tr>"
            )
        parts.append("</tbody></table>")
    return parts


def write_html(connection: duckdb.DuckDBPyConnection, report: CityReport, path: Path) -> None:
    """The HTML page: the city's figures, their history up to the report's date and each agency's data quality."""
    data = HtmlData(
        history=queries.city_history(connection, TREND_CODES, report.as_of),
        pyramid=queries.age_pyramid(connection, report.as_of),
        agencies=queries.agency_data_quality(connection, report.as_of),
    )
    path.write_text(render_html(report, data), encoding="utf-8")

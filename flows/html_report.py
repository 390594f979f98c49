"""`staffq report --format html`: one self-contained page — narrative, charts, the indicator tables — that opens
from a shared drive or an e-mail attachment with no network. Charts are plotly figures with plotly.js inlined once;
every text of ours is HTML-escaped, and plotly escapes what it embeds."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import plotly.graph_objects as go

from flows.report import SECTIONS, CityReport, narrative, target_text

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
_BLUE, _RED, _GREEN, _GREY = "#1f5fa8", "#c0392b", "#2e8b57", "#9aa5b1"
_STYLE = """
body { font-family: "Segoe UI", "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1180px;
       color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #d5dbe1; }
.narrative { font-size: 1.08em; background: #f4f7fa; padding: 12px 16px; border-left: 4px solid #1f5fa8; }
.completeness { background: #fff6e5; padding: 8px 16px; border-left: 4px solid #e69b00; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 24px; }
.chart { min-height: 360px; } .wide { grid-column: 1 / span 2; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { border: 1px solid #d5dbe1; padding: 3px 10px; }
td.number { text-align: right; } code { color: #5a6877; } .missed { color: #c0392b; font-weight: bold; }
"""


@dataclass(frozen=True)
class HtmlData:
    """What the page shows besides the city's figures of the day."""

    history: list[dict]
    pyramid: list[dict]
    agencies: list[dict]


def render_html(report: CityReport, data: HtmlData) -> str:
    """The whole page."""
    figures = [
        ("chart-leaders-education", "Trình độ chuyên môn của CBLĐ, QL", _bars(report, _LEADER_EDUCATION), ""),
        ("chart-leaders-theory", "Lý luận chính trị của CBLĐ, QL", _bars(report, _LEADER_THEORY), ""),
        ("chart-age-pyramid", "Tháp tuổi theo giới tính", _pyramid(data.pyramid), ""),
        ("chart-targets", "So với mục tiêu", _targets(report), ""),
        ("chart-trend-counts", "Số lượng qua các kỳ", _trend(data.history, _TREND_COUNTS, share=False), ""),
        ("chart-trend-shares", "Tỷ lệ trẻ hóa, nữ qua các kỳ", _trend(data.history, _TREND_SHARES, share=True), ""),
        ("chart-data-quality", "Chất lượng dữ liệu theo đơn vị", _data_quality(data.agencies), "wide"),
    ]
    charts = []
    for index, (div_id, title, figure, extra) in enumerate(figures):
        figure.update_layout(title=title, margin={"l": 60, "r": 20, "t": 50, "b": 40}, template="plotly_white")
        body = figure.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            div_id=div_id,
            config={"displayModeBar": False, "responsive": True},
        )
        charts.append(f'<div class="chart {extra}">{body}</div>')
    title = f"Báo cáo chất lượng đội ngũ, tính đến ngày {report.as_of:%d/%m/%Y}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="narrative">{html.escape(narrative(report))}</p>',
            _completeness(data.agencies),
            '<div class="charts">',
            *charts,
            "</div>",
            *_tables(report),
            f"<p><small>staffq · {dt.date.today():%d/%m/%Y}</small></p>",
            "</body></html>",
        ]
    )


def _completeness(agencies: list[dict]) -> str:
    """Late and missing agencies beside the figures, so a partial count is never mistaken for a complete one."""
    missing = [_name(agency) for agency in agencies if not agency["has_list"]]
    stale = [_name(agency) for agency in agencies if agency["has_list"] and agency["is_late"]]
    text = f"Đã có danh sách của {len(agencies) - len(missing)}/{len(agencies)} đơn vị phải báo cáo."
    if missing:
        text += f" Chưa có danh sách ({len(missing)}): {', '.join(missing)}."
    if stale:
        text += f" Danh sách đã quá hạn theo kỳ báo cáo ({len(stale)}): {', '.join(stale)}."
    return f'<p class="completeness">{html.escape(text)}</p>'


def _name(agency: dict) -> str:
    return agency["agency_name"] or agency["agency_code"]


def _bars(report: CityReport, rows: tuple[tuple[str, str], ...]) -> go.Figure:
    labels = [label for label, _ in rows]
    values = [report.values.get(code) or 0 for _, code in rows]
    figure = go.Figure(go.Bar(x=labels, y=values, texttemplate="%{y:,.0f}", textposition="outside", marker_color=_BLUE))
    figure.update_layout(yaxis_title="người", separators=",.")
    return figure


def _pyramid(rows: list[dict]) -> go.Figure:
    bands = sorted({(row["band_start"], row["band"]) for row in rows})
    labels = [band for _, band in bands]
    count = {(row["band"], row["gender"]): row["people"] for row in rows}
    men = [-count.get((band, "male"), 0) for band in labels]
    women = [count.get((band, "female"), 0) for band in labels]
    figure = go.Figure(
        [
            go.Bar(y=labels, x=men, orientation="h", name="Nam", marker_color=_BLUE, customdata=[-m for m in men]),
            go.Bar(y=labels, x=women, orientation="h", name="Nữ", marker_color=_RED, customdata=women),
        ]
    )
    figure.update_traces(hovertemplate="%{y}: %{customdata} người")
    largest = max([*women, *(-m for m in men), 1])
    step = _tick_step(largest)
    ticks = list(range(-(largest // step) * step, largest + 1, step))
    figure.update_layout(
        barmode="relative",
        xaxis={"title": "người (nam bên trái, nữ bên phải)", "tickvals": ticks, "ticktext": [abs(t) for t in ticks]},
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
    values = [(report.values.get(code) or 0) * 100 for code in codes]
    colours = [_GREEN if report.targets[code].is_met else _RED for code in codes]
    limits = [report.targets[code].limit * 100 for code in codes]
    figure = go.Figure(
        [
            go.Bar(x=labels, y=values, name="Thực tế", marker_color=colours, text=[f"{v:.1f}%" for v in values]),
            go.Scatter(
                x=labels,
                y=limits,
                name="Mục tiêu",
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 46, "line": {"width": 3, "color": "#1d2733"}},
            ),
        ]
    )
    figure.update_layout(yaxis_title="%", yaxis_rangemode="tozero")
    return figure


def _trend(history: list[dict], series: tuple[tuple[str, str], ...], share: bool) -> go.Figure:
    figure = go.Figure()
    for code, label in series:
        points = [row for row in history if row["indicator_code"] == code]
        values = [row["value"] * 100 if share and row["value"] is not None else row["value"] for row in points]
        figure.add_trace(
            go.Scatter(x=[row["as_of_date"] for row in points], y=values, name=label, mode="lines+markers")
        )
    figure.update_layout(
        yaxis_title="%" if share else "người",
        yaxis_rangemode="tozero",
        xaxis={"type": "date", "tickformat": "%d/%m/%Y", "dtick": "M1"},
    )
    return figure


def _data_quality(agencies: list[dict]) -> go.Figure:
    names = [
        (agency["agency_name"] or agency["agency_code"]) + (" (trễ hạn)" if agency["is_late"] else "")
        for agency in agencies
    ]
    figure = go.Figure(
        [
            go.Bar(
                y=names,
                x=[a["rows_loaded"] for a in agencies],
                name="Dòng đã nạp",
                orientation="h",
                marker_color=_GREEN,
            ),
            go.Bar(
                y=names,
                x=[a["rows_rejected"] for a in agencies],
                name="Dòng bị trả lại",
                orientation="h",
                marker_color=_RED,
            ),
        ]
    )
    figure.update_layout(
        barmode="stack", height=max(360, 22 * len(agencies) + 120), yaxis_autorange="reversed", xaxis_title="dòng"
    )
    return figure


def _tables(report: CityReport) -> list[str]:
    parts = []
    for title, rows in SECTIONS:
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr><th>chỉ tiêu</th><th>mã</th><th>giá trị</th>")
        parts.append("<th>mục tiêu</th></tr>")
        for label, code in rows:
            target = report.targets.get(code)
            css = ' class="missed"' if target and not target.is_met else ""
            target_cell = html.escape(target_text(report, code))
            parts.append(
                f"<tr><td>{html.escape(label)}</td><td><code>{code}</code></td>"
                f'<td class="number">{report.show(code)}</td><td{css}>{target_cell}</td></tr>'
            )
        parts.append("</table>")
    return parts

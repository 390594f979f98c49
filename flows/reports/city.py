"""`staffq report`: the city's indicators as the organisation board writes them up, in a table or in Markdown,
with the narrative paragraph of the source article's style generated from the data. The figures are read from the
analysts' copy of the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
from rich.console import Console
from rich.table import Table

from warehouse import queries

# Sections of the report: title, then (label, indicator code) rows.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Số lượng",
        (
            ("Cán bộ, công chức, viên chức, người lao động", "staff.total"),
            ("Cán bộ lãnh đạo, quản lý (CBLĐ, QL)", "leaders.total"),
            ("Nữ", "staff.women"),
            ("Đảng viên", "staff.party_members"),
        ),
    ),
    (
        "Trình độ chuyên môn của CBLĐ, QL",
        (
            ("Tiến sĩ", "leaders.education.doctorate"),
            ("Thạc sĩ", "leaders.education.master"),
            ("Đại học", "leaders.education.university"),
            ("Cao đẳng", "leaders.education.college"),
            ("Trung cấp", "leaders.education.intermediate"),
        ),
    ),
    (
        "Lý luận chính trị của CBLĐ, QL",
        (
            ("Cao cấp, cử nhân", "leaders.political_theory.advanced"),
            ("Trung cấp", "leaders.political_theory.intermediate"),
            ("Sơ cấp", "leaders.political_theory.elementary"),
            ("Chưa qua đào tạo", "leaders.political_theory.none"),
            ("Chưa rõ", "leaders.political_theory.unknown"),
        ),
    ),
    (
        "Độ tuổi của CBLĐ, QL",
        (
            ("Từ 40 tuổi trở xuống", "leaders.age.40_or_under"),
            ("Trên 40 đến 50 tuổi", "leaders.age.41_50"),
            ("Trên 50 tuổi", "leaders.age.over_50"),
        ),
    ),
    (
        "Quy hoạch",
        (
            ("Số người trong quy hoạch", "planning.total"),
            ("Tỷ lệ dưới 40 tuổi", "planning.under_40"),
            ("Tỷ lệ nữ", "planning.women"),
        ),
    ),
    (
        "Đánh giá, xếp loại",
        (
            ("Hoàn thành xuất sắc nhiệm vụ", "evaluation.excellent"),
            ("Hoàn thành tốt nhiệm vụ", "evaluation.good"),
            ("Hoàn thành nhiệm vụ", "evaluation.completed"),
            ("Không hoàn thành nhiệm vụ", "evaluation.not_completed"),
            ("Xuất sắc so với tốt", "evaluation.excellent_share_of_good"),
        ),
    ),
    (
        "Nghỉ hưu",
        (
            ("Đến tuổi nghỉ hưu trong 1 năm", "retirement.due_within_1y"),
            ("Đến tuổi nghỉ hưu trong 5 năm", "retirement.due_within_5y"),
            ("Quá tuổi nghỉ hưu", "retirement.past_age"),
        ),
    ),
    (
        "Dữ liệu",
        (
            ("Đơn vị phải báo cáo", "data.agencies_expected"),
            ("Đơn vị đã có danh sách", "data.agencies_submitted"),
            ("Đơn vị chưa có danh sách hoặc trễ hạn", "data.agencies_late"),
            ("Số dòng bị trả lại", "data.rows_rejected"),
        ),
    ),
)
SHARES = {"planning.under_40", "planning.women", "evaluation.excellent_share_of_good"}


@dataclass(frozen=True)
class Target:
    """An indicator's target (a floor or a ceiling, as a share) and whether the value meets it."""

    minimum: float | None
    maximum: float | None
    is_met: bool

    @property
    def limit(self) -> float:
        return self.minimum if self.minimum is not None else self.maximum


@dataclass(frozen=True)
class CityReport:
    """The city's figures as of one date, by indicator code, with the targets some of them are held to."""

    as_of: dt.date
    values: dict[str, float]
    targets: dict[str, Target] = field(default_factory=dict)

    def show(self, code: str) -> str:
        """A figure as the report writes it everywhere (see `count_text`, `share_text`); "-" when not computed."""
        value = self.values.get(code)
        if value is None:
            return "-"
        return share_text(value) if code in SHARES else count_text(value)


def city_report(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> CityReport:
    """The city's figures and targets as of a date (empty values when nothing was computed for it)."""
    targets = {
        row["indicator_code"]: Target(row["target_min"], row["target_max"], row["is_met"])
        for row in queries.city_targets(connection, as_of)
    }
    return CityReport(as_of, queries.city_indicators(connection, as_of), targets)


def count_text(value: float) -> str:
    """A count as Vietnamese (vi-VN) writes it: 2.886."""
    return f"{round(value):,}".replace(",", ".")


def share_text(share: float) -> str:
    """A share as Vietnamese (vi-VN) writes it: 0.67 is 67,0 %."""
    return f"{share * 100:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " %"


def target_text(report: CityReport, code: str) -> str:
    """ "≥ 15,0 % · đạt", "≤ 20,0 % · chưa đạt", or nothing for an indicator without a target."""
    target = report.targets.get(code)
    if target is None:
        return ""
    sign = "≥" if target.minimum is not None else "≤"
    return f"{sign} {share_text(target.limit)} · {'đạt' if target.is_met else 'chưa đạt'}"


def narrative(report: CityReport) -> str:
    """The paragraph the article closes with, written from the data."""
    education = "; ".join(
        f"{label.lower()} {report.show(code)} người" for label, code in SECTIONS[1][1] if report.values.get(code)
    )
    theory = "; ".join(
        f"{label.lower()} {report.show(code)} người" for label, code in SECTIONS[2][1] if report.values.get(code)
    )
    return (
        f"Tính đến ngày {report.as_of:%d/%m/%Y}, số lượng CBLĐ, QL trên địa bàn thành phố là "
        f"{report.show('leaders.total')} người/{report.show('staff.total')} cán bộ, công chức, viên chức, người lao "
        f"động. Về trình độ chuyên môn: {education}. Về trình độ lý luận chính trị: {theory}.{_completeness(report)}"
    )


def _completeness(report: CityReport) -> str:
    """Whether the count is complete and current: a city figure from part of the agencies, or from lists older
    than their cadence allows, must say so. An agency without a list is late too (`data.agencies_late`), so the
    two are told apart here: those without a list, and those whose list is out of date."""
    expected = report.values.get("data.agencies_expected")
    if not expected:
        return ""
    submitted = report.values.get("data.agencies_submitted") or 0
    missing = expected - submitted
    out_of_date = (report.values.get("data.agencies_late") or 0) - missing
    text = f" Số liệu tổng hợp từ danh sách của {count_text(submitted)}/{count_text(expected)} đơn vị phải báo cáo"
    gaps = []
    if missing:
        gaps.append(f"{count_text(missing)} đơn vị chưa có danh sách")
    if out_of_date:
        gaps.append(f"{count_text(out_of_date)} đơn vị có danh sách đã quá hạn theo kỳ báo cáo")
    return text + ("; " + "; ".join(gaps) if gaps else "") + "."


def render_markdown(report: CityReport) -> str:
    """The report as Markdown: the narrative, then one table per section."""
    lines = [f"# Báo cáo chất lượng đội ngũ, tính đến ngày {report.as_of:%d/%m/%Y}", "", narrative(report), ""]
    for title, rows in SECTIONS:
        lines += [f"## {title}", "", "| chỉ tiêu | mã | giá trị | mục tiêu |", "|---|---|---:|---|"]
        lines += [f"| {label} | `{code}` | {report.show(code)} | {target_text(report, code)} |" for label, code in rows]
        lines.append("")
    return "\n".join(lines)


def print_table(console: Console, report: CityReport) -> None:
    """The report in the terminal."""
    console.print(narrative(report), "")
    for title, rows in SECTIONS:
        table = Table(title=title, title_justify="left")
        table.add_column("chỉ tiêu")
        table.add_column("indicator_code")
        table.add_column("giá trị", justify="right")
        table.add_column("mục tiêu")
        for label, code in rows:
            target = target_text(report, code)
            table.add_row(label, code, report.show(code), f"[red]{target}[/]" if "chưa" in target else target)
        console.print(table)

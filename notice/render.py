"""Renders content through the Jinja templates into the semantic HTML both writers read."""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from fontTools.ttLib import TTFont
from markupsafe import Markup, escape

from . import style
from .errors import NoticeError
from .fonts import Face, FontSet
from .markup import plain, split_markup, text_width
from .model import Content, chinese_date

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COLUMN_HEADS = ("领域", "任务", "序号", "指标名称", "指标值", "指标属性", "主要任务", "完成时限",
                "牵头单位", "责任单位")
# column widths on the 225 mm landscape 版心, in mm, in the order of COLUMN_HEADS
COLUMN_WIDTHS_MM = (11, 18, 9, 26, 18, 16, 68, 16, 17, 26)
# the task sheets' table: no domain or task column, the unit's role and the other units instead
SHEET_COLUMN_HEADS = ("序号", "指标名称", "指标值", "指标属性", "主要任务", "完成时限",
                      "本单位职责", "其他牵头单位", "其他责任单位")
SHEET_COLUMN_WIDTHS_MM = (10, 28, 18, 16, 77, 16, 12, 20, 28)
_NUMERALS = "零一二三四五六七八九十"


class TemplateProblem(NoticeError):
    """A template is broken: the message names the template file and line."""


def rich(text: str) -> Markup:
    """Escape content and turn _{…} / ^{…} into <sub>/<sup>."""
    out = []
    for run, kind in split_markup(text):
        out.append(f"<{kind}>{escape(run)}</{kind}>" if kind else str(escape(run)))
    return Markup("".join(out))


_ROW_KEPT_WHOLE = 0.75  # of a landscape page's height: a row estimated taller may break


def may_break(indicator) -> bool:
    """Whether an indicator's row may be too tall for a landscape page, so that it is let
    break across pages: WeasyPrint pushes a whole row that does not fit on to the next page,
    and there loses the text of one taller than the page. The estimate errs on the tall side:
    it takes the narrower of the notice's and the letters' columns, and a row of three
    quarters of a page as one that may not fit."""
    def lines(text: str, *widths_mm: float) -> int:
        per_line = (min(widths_mm) * style.PT_PER_MM - 3) // style.TABLE_PT  # 1.5 pt padding
        return math.ceil(text_width(plain(text or "")) / max(per_line, 1))

    heads = dict(zip(COLUMN_HEADS, COLUMN_WIDTHS_MM, strict=True))
    sheet = dict(zip(SHEET_COLUMN_HEADS, SHEET_COLUMN_WIDTHS_MM, strict=True))
    measure = [(indicator.name, indicator.target)] + [
        (sub.name, sub.target) for sub in indicator.sub_indicators]
    tallest = max(
        lines(indicator.main_tasks, heads["主要任务"], sheet["主要任务"]),
        sum(max(lines(name, heads["指标名称"], sheet["指标名称"]) + 1,
                lines(target, heads["指标值"], sheet["指标值"])) for name, target in measure),
        sum(lines(unit, heads["牵头单位"], sheet["其他牵头单位"])
            for unit in indicator.lead_units),
        lines("、".join(indicator.responsible_units), heads["责任单位"], sheet["其他责任单位"]),
    )
    top, _right, bottom, _left = style.LANDSCAPE_MARGINS_MM
    page_pt = (style.PAGE_WIDTH_MM - top - bottom) * style.PT_PER_MM  # the turned page's 版心
    return tallest * style.TABLE_LINE_PT > _ROW_KEPT_WHOLE * page_pt


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (heading numbers 一、二、…)."""
    if n <= 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (_NUMERALS[tens] if tens > 1 else "") + "十" + (_NUMERALS[ones] if ones else "")


@functools.cache
def environment() -> jinja2.Environment:
    """One Jinja environment a process: templates parsed once, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(rich=rich, cdate=chinese_date, cnum=chinese_number)
    env.tests.update(breakable=may_break)
    return env


def render_template(name: str, **context) -> str:
    """Render one template; a template fault is reported with its file and line."""
    try:
        return environment().get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"templates/{exc.name or name}:{exc.lineno}: {exc.message}") from None
    except (jinja2.TemplateError, TypeError, AttributeError, ValueError) as exc:
        raise TemplateProblem(f"{_template_line(name)}: {exc}") from None


def _template_line(name: str) -> str:
    """templates/NAME:LINE of the innermost template frame of the exception being handled."""
    where = f"templates/{name}"
    tb = sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"templates/{Path(filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


@functools.cache
def _vertical_metrics(path: str, index: int) -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, as WeasyPrint lays lines out (hhea)."""
    with TTFont(path, fontNumber=index, lazy=True) as font:
        upm = font["head"].unitsPerEm
        return font["hhea"].ascent / upm, -font["hhea"].descent / upm


def _half_leading(face: Face, size: float, line: float) -> float:
    ascent, descent = _vertical_metrics(face.path, face.index)
    return (line - (ascent + descent) * size) / 2


@dataclass(frozen=True)
class Masthead:
    size: float
    scale: float
    width: float
    indent: float
    lead: float
    bold: bool


def _masthead(content: Content, fonts: FontSet) -> Masthead:
    text = content.notice.masthead
    size, scale = style.masthead_size(len(text))
    width = size * len(text)
    face = fonts.roles["title"][0]
    return Masthead(size, scale, width, (style.TEXT_WIDTH_MM * style.PT_PER_MM - width) / 2,
                    _half_leading(face, size, size), face.bold)


def _checklist_rows(content: Content) -> list[dict]:
    """One row an indicator, flagged where its domain and task groups start and end."""
    rows = []
    for domain in content.checklist.domains:
        flat = [(task, i) for task in domain.tasks for i in task.indicators]
        for n, (task, indicator) in enumerate(flat):
            in_task = task.indicators.index(indicator)
            rows.append(dict(
                indicator=indicator, domain=domain.name, task=task.label,
                domain_first=n == 0, domain_last=n == len(flat) - 1,
                task_first=in_task == 0, task_last=in_task == len(task.indicators) - 1,
            ))
    return rows


def _head_rule(mast: Masthead, body_lead: float) -> dict:
    """Gaps around the red line; the 版头 ends on a grid line so the body sits on the grid."""
    pitch = style.LINE_PITCH_PT
    gap = style.RULE_GAP_MM * style.PT_PER_MM - body_lead
    used = (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM - mast.lead + mast.size + 3 * pitch
            + gap + style.RED_RULE_PT)
    lines = math.ceil(used / pitch)
    return dict(gap=round(gap, 3), after=round(lines * pitch - used, 3), lines=lines)


def _signed(name: str, date: str) -> dict:
    """7.3.5.2 without seal: indents (in grid characters) of the 署名 and 成文日期 lines."""
    right = style.CHARS_PER_LINE - 2
    date_left = min(right - text_width(name) + 2, right - text_width(date))
    return dict(name=date_left - 2, date=date_left)


def _end_matter_pt(notice) -> float:
    """4号, or smaller when 印发机关 and 印发日期 would not share one line (7.4.3)."""
    issued = text_width(notice.printed_by) + text_width(chinese_date(notice.printed_on) + "印发")
    width_pt = style.TEXT_WIDTH_MM * style.PT_PER_MM
    # one character in at each side and at least one between
    return round(min(style.END_MATTER_PT, width_pt / (issued + 3)), 2)


def base_context(content: Content, fonts: FontSet) -> dict:
    """What every template sees: the content, the layout numbers and the fonts."""
    body_face = fonts.roles["body"][0]
    body_lead = _half_leading(body_face, style.BODY_PT, style.LINE_PITCH_PT)
    mast = _masthead(content, fonts)
    notice = content.notice
    return dict(
        notice=content.notice, workpoints=content.workpoints, checklist=content.checklist,
        units=content.units, style=style, fonts=fonts,
        mast=mast, rule=_head_rule(mast, body_lead),
        signed=_signed(notice.signature, chinese_date(notice.date)),
        end_matter_pt=_end_matter_pt(notice),
        title_bold=fonts.roles["title"][0].bold,
        column_heads=COLUMN_HEADS, column_widths=COLUMN_WIDTHS_MM,
        measure_name_width=COLUMN_WIDTHS_MM[3],
        keywords=[content.notice.doc_number.prefix, str(content.year), "工作要点", "创建清单"],
    )


def notice_context(content: Content, fonts: FontSet) -> dict:
    context = base_context(content, fonts)
    context["checklist_rows"] = _checklist_rows(content)
    return context


def sheet_context(content: Content, fonts: FontSet) -> dict:
    """The context every task sheet shares; render_sheet_html adds the sheet itself."""
    context = base_context(content, fonts)
    context.update(sheet_column_heads=SHEET_COLUMN_HEADS,
                   sheet_column_widths=SHEET_COLUMN_WIDTHS_MM,
                   measure_name_width=SHEET_COLUMN_WIDTHS_MM[1])
    return context


def render_css(context: dict) -> str:
    return render_template("notice.css.j2", **context)


def render_notice_html(content: Content, fonts: FontSet) -> tuple[str, str]:
    """(HTML, CSS) of the notice."""
    context = notice_context(content, fonts)
    return render_template("notice.html.j2", **context), render_css(context)


def render_sheet_html(context: dict, sheet) -> str:
    """HTML of one unit's task sheet."""
    return render_template("sheet.html.j2", sheet=sheet, **context)

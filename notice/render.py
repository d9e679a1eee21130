"""Renders content through the Jinja templates into the semantic HTML both writers read."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import style
from .columns import (
    DEFAULT_COLUMNS,
    LETTER,
    MEASURE,
    NOTICE,
    columns_of,
    head_lines,
    letter_columns,
    may_break,
    width_of,
)
from .errors import NoticeError
from .fonts import FontSet
from .layout import lay_out, letter_layout
from .markup import (
    UNBREAKABLE,
    UNBREAKABLE_EMS,
    UNBREAKABLE_IN_TEXT,
    plain,
    split_markup,
    text_width,
)
from .model import Content, chinese_date
from .numerals import chinese_number
from .vocabulary import VOCABULARY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class TemplateProblem(NoticeError):
    """A template is broken: the message names the template file and line."""


def rich(text: str) -> Markup:
    """Escape content and turn _{…} / ^{…} into <sub>/<sup>."""
    out = []
    for run, kind in split_markup(text):
        out.append(f"<{kind}>{escape(run)}</{kind}>" if kind else str(escape(run)))
    return Markup("".join(out))


def glued_end(text: str) -> Markup:
    """Rich text whose last two characters a line may not part, so that a wrapped line never
    holds a single character alone (「…任务清」 over 「单」)."""
    runs = list(split_markup(text))
    if not runs or runs[-1][1] or len(runs[-1][0]) < 3:
        return rich(text)
    return rich(text[:-2]) + Markup('<span class="nobreak">%s</span>') % text[-2:]


def cell_text(value) -> Markup:
    """An indicator's field as a table cell prints it: a list of names joined by 「、」, a
    deadline as written, a number as digits, text with its sub/superscripts; dates, numbers
    with their units and standards' codes kept on one line."""
    if isinstance(value, tuple | list):
        return escape("、".join(value))
    if hasattr(value, "text"):
        value = value.text
    return unbroken(str(value)) if value is not None else Markup("")


def unbroken(text: str, pattern=UNBREAKABLE) -> Markup:
    """Rich text whose dates, numbers with units and standards' codes a line may not break
    inside: each in a span of class nobreak (the cells' narrow lines would otherwise end on
    「2021年3」 or 「HJ/T」)."""
    out = []
    for run, kind in split_markup(text):
        if kind:
            out.append(f"<{kind}>{escape(run)}</{kind}>")
            continue
        at = 0
        for match in pattern.finditer(run):
            if text_width(match.group()) > UNBREAKABLE_EMS:
                continue  # too long to hold on one line of a narrow cell
            out.append(str(escape(run[at:match.start()])))
            out.append(f'<span class="nobreak">{escape(match.group())}</span>')
            at = match.end()
        out.append(str(escape(run[at:])))
    return Markup("".join(out))


def running(text: str) -> Markup:
    """Rich running text: a number stays with its unit and a code whole (「2021年3/月」 becomes
    「2021年/3月」), a date may break between its parts."""
    return unbroken(text, UNBREAKABLE_IN_TEXT)


def measure_pairs(indicator) -> list[dict]:
    """The name/target pairs of an indicator's measure cell, its own first: each with the
    rows its target spans (a target goes on beside the sub-indicators that have none of
    their own, 0 for a pair whose target cell another spans)."""
    pairs = [dict(name=indicator.name, target=indicator.target, sub=False)] + [
        dict(name=s.name, target=s.target, sub=True) for s in indicator.sub_indicators]
    owner = None  # the pair whose target the pairs below without one share
    for n, pair in enumerate(pairs):
        if n and not pair["target"] and owner is not None:
            pairs[owner]["span"] += 1
            pair["span"] = 0
        else:
            pair["span"] = 1
            owner = n if pair["target"] else None
    return pairs


def table_widths(table) -> list[tuple]:
    """(column, width in % of the table) of a declared table: declared shares, or shares
    fitted to the text, the square root of each column's text a row (long text gets room,
    short text keeps its own)."""
    shares = [c.width for c in table.columns]
    if any(s is None for s in shares):
        rows = max(len(table.rows), 1)
        shares = [max(text_width(plain(c.head)) / 2, 2,
                      sum(text_width(plain(r[c.key])) for r in table.rows) / rows) ** 0.5
                  for c in table.columns]
    total = sum(shares)
    return [(c, round(100 * s / total, 3)) for c, s in zip(table.columns, shares, strict=True)]


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
    env.filters.update(rich=rich, glued_end=glued_end, cdate=chinese_date,
                       cnum=chinese_number, cell_text=cell_text, unbroken=unbroken,
                       running=running, pairs=measure_pairs, table_widths=table_widths,
                       plaintext=plain,
                       file_url=lambda path: Path(path).resolve().as_uri())
    env.filters["letter_row"] = lambda row: dict(
        indicator=row.indicator, assignment=row.assignment, role=row.role,
        other_leads=row.other_leads, other_responsible=row.other_responsible)
    env.tests.update(breakable=may_break)
    env.globals.update({"MEASURE": MEASURE, "raise": _template_fault, "head_lines": head_lines})
    return env


def _template_fault(message: str):
    raise TemplateProblem(message)


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


def _checklist_rows(content: Content) -> list[dict]:
    """One row an indicator, flagged where its domain and task groups start and end."""
    rows = []
    for domain in content.checklist.domains:
        flat = [(task, i) for task in domain.tasks for i in task.indicators]
        for n, (task, indicator) in enumerate(flat):
            in_task = task.indicators.index(indicator)
            rows.append(dict(
                indicator=indicator, assignment=None, domain=domain.name, task=task.label,
                domain_first=n == 0, domain_last=n == len(flat) - 1,
                task_first=in_task == 0, task_last=in_task == len(task.indicators) - 1,
            ))
    return rows


def base_context(content: Content, fonts: FontSet, document: str) -> dict:
    """What every template sees: the content, the layout, the columns and the fonts."""
    notice = content.notice
    shown = columns_of(document, content.checklist)
    return dict(
        notice=notice, workpoints=content.workpoints, checklist=content.checklist,
        units=content.units, style=style, fonts=fonts, layout=lay_out(content, fonts),
        vocabulary=VOCABULARY, columns=shown,
        measure_name_width=width_of(shown, "name"),
        keywords=_keywords(content),
    )


def _keywords(content: Content) -> list[str]:
    """The PDF's and DOCX's keywords: the 发文字号 and the titles the documents carry."""
    documents = [content.notice] + ([content.workpoints] if content.workpoints else [])
    titles = [d.full_title for d in documents[1:]] + [
        a.title for d in documents for a in d.attachments]
    return [str(content.notice.doc_number)] + [plain(t) for t in titles]


def notice_context(content: Content, fonts: FontSet) -> dict:
    context = base_context(content, fonts, NOTICE)
    context["checklist_rows"] = _checklist_rows(content) if content.checklist else []
    return context


def sheet_context(content: Content, fonts: FontSet) -> dict:
    """The context every letter shares; render_sheet_html adds the sheet itself."""
    from .sheets import load_sheet_text

    context = base_context(content, fonts, LETTER)
    text, _spots = load_sheet_text(content.folder)
    masthead = text.masthead or text.office or content.notice.issuer
    declared = content.checklist.columns if content.checklist else DEFAULT_COLUMNS
    context.update(
        letter=letter_layout(masthead, fonts),
        # every column a letter may show (the stylesheet aligns each); a letter shows some
        columns=letter_columns(declared),
        letter_columns=lambda rows: letter_columns(declared, rows))
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

"""Loads one year's content folder into the model, refusing anything a clerk got wrong."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import yaml

from . import frame, limits
from .errors import ContentError, Problem
from .folder import NOTICE_FILES
from .markup import plain, text_width
from .model import (
    Content,
    DocNumber,
    Notice,
    TextDocument,
    Units,
)
from .read_checklist import read_checklist
from .read_text import read_attachments, read_body, yes_no
from .read_units import check_unit_names, read_units, texts_in
from .schema import Reader
from .yamlsource import _display, child, read_yaml

TITLE_LINE_LIMIT = 20  # 2号 (22 pt) characters on the 156 mm 版心: 442 pt / 22 pt


def latest_folder(root: Path = Path("content")) -> Path:
    """The newest year's folder under content/."""
    years = sorted((p for p in root.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()),
                   key=lambda p: p.name)
    if not years:
        raise ContentError([Problem(str(root), 0, 0, "", "no year folder (such as "
                                    f"{dt.date.today().year}) here")])
    return years[-1]


def load_content(folder: Path) -> Content:
    """Read and check every file of a year's content; raise ContentError listing all faults.

    notice.yaml is needed; workpoints.yaml (a document the notice issues), checklist.yaml and
    units.yaml are read when they are there.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "is a file, not a folder; give "
                                    "the year's content folder (such as content/2021)")])
    if not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "the content folder is missing")])
    year = int(folder.name) if re.fullmatch(r"[0-9]{4}", folder.name) else None
    problems: list[Problem] = []
    spots = []
    parts = {}
    nodes = {}
    sound = set()  # files read without a single problem
    for name in NOTICE_FILES:
        path = folder / name
        if name != "notice.yaml" and not path.exists():
            continue
        node, read_problems = read_yaml(path)
        problems += read_problems
        if node is None:
            continue
        # A file that parsed (duplicate keys at most) is still checked field by field, so
        # every fault in it is reported in the same run.
        reader = Reader(_display(path), year)
        parts[name] = _READERS[name](reader, node)
        nodes[name] = node
        problems += reader.problems
        spots += reader.spots
        if not read_problems and not reader.problems:
            sound.add(name)
    checklist, refs = parts.get("checklist.yaml") or (None, [])
    units = parts.get("units.yaml")
    # Cross-file checks run whenever their inputs could be read, alongside other faults.
    cross = Reader(_display(folder / "checklist.yaml"), year)
    if refs and not (folder / "units.yaml").exists():
        problems.append(Problem(_display(folder / "units.yaml"), 0, 0, "", "the file is "
                                "missing; the checklist names units, which are listed there"))
    elif refs and units is not None:
        # units.yaml with problems of its own still names units: every text in it counts as a
        # name, so that a unit whose entry is wrong is not also reported as unknown
        named = set() if "units.yaml" in sound else texts_in(nodes["units.yaml"])
        check_unit_names(cross, refs, units, named)
    problems += cross.problems
    notice: Notice | None = parts.get("notice.yaml")
    documents = [(name, parts.get(name)) for name in ("notice.yaml", "workpoints.yaml")]
    for name, document in documents:
        if document and not (folder / "checklist.yaml").exists() and any(
                a.kind == "checklist" for a in document.attachments):
            problems.append(Problem(_display(folder / name), 0, 0, "attachments",
                                    "an attachment is the checklist, but checklist.yaml is "
                                    "missing"))
    number = notice.doc_number if notice else None
    if number is not None and year is not None and number.year != year:
        year_node = child(child(nodes["notice.yaml"], "doc_number"), "year")
        r = Reader(_display(folder / "notice.yaml"), year)
        r.fail(year_node, "doc_number: year", f"is {number.year} but the folder is "
               f"{folder.name}; the two must agree")
        problems += r.problems
    if notice is not None:  # images of the frame (seal, 签名章) are files of the folder
        r = Reader(_display(folder / "notice.yaml"), year)
        frame.check_seals(r, {k.value: v for k, v in nodes["notice.yaml"].value},
                          notice.signatures, notice.organs, folder)
        problems += r.problems
    expected = {n for n in NOTICE_FILES if n == "notice.yaml" or n in nodes}
    if problems or not expected <= parts.keys() or any(v is None for v in parts.values()):
        raise ContentError(problems)
    if checklist is not None:
        notice, workpoints = (_with_checklist_title(d, checklist.title) if d else d
                              for d in (notice, parts.get("workpoints.yaml")))
    else:
        workpoints = parts.get("workpoints.yaml")
    content = Content(folder, notice, workpoints, checklist, units or Units(None),
                      tuple(folder / n for n in sorted(nodes)), tuple(spots))
    return _with_warnings(content)


def _with_checklist_title(document, title: str):
    """The document with its checklist attachment titled as checklist.yaml titles it."""
    attachments = tuple(replace(a, title=a.title or title) if a.kind == "checklist" else a
                        for a in document.attachments)
    return replace(document, attachments=attachments)


# -- notice.yaml -----------------------------------------------------------------------------

def _read_notice(r: Reader, node) -> Notice | None:
    m = r.mapping(node, "notice", ("issuer", "masthead", "doc_number", "title", "addressees",
                                   "body", "signature", "date", "printed_by", "printed_on"),
                  ("closing", "disclosure", "attachments", "heading_3_bold") + frame.KEYS)
    if m is None:
        return None
    doc_number = None
    if "doc_number" in m:
        d = r.mapping(m["doc_number"], "doc_number", ("prefix", "year", "number"))
        if d is not None and len(d) == 3:
            prefix = r.text(d["prefix"], "doc_number: prefix")
            year = r.integer(d["year"], "doc_number: year", 1949, 2999)
            number = r.integer(d["number"], "doc_number: number", 1, 99999)
            if None not in (prefix, year, number):
                doc_number = DocNumber(prefix, year, number)
    get = _getter(r, m)
    masthead, organs, word = (frame.read_masthead(r, m["masthead"]) if "masthead" in m
                              else (None, (), ""))
    signatures = frame.read_signatures(r, m["signature"]) if "signature" in m else ()
    extra = frame.read_frame(r, m)
    addressees = get("addressees", r.texts)
    if isinstance(m.get("title"), yaml.ScalarNode):  # one string: broken by meaning (7.3.1)
        text = r.text(m["title"], "title", "title")
        keep = ((r.texts(m["title_keep"], "title_keep", item="title_keep")
                 if "title_keep" in m else ())
                + tuple(n for n in (get("issuer", r.text),) if n) + organs + signatures
                + (addressees or ()) + extra.get("copy_to", ()))
        shape = (r.choice(m["title_shape"], "title_shape", tuple(frame.SHAPES))
                 if "title_shape" in m else "auto")
        title = (frame.break_long_title(r, m["title"], text, keep,
                                        frame.SHAPES.get(shape or "auto"), TITLE_LINE_LIMIT)
                 if text else ())
    else:
        for key in ("title_keep", "title_shape"):
            if key in m:
                r.fail(m[key], key, "applies to a title given as one string, which the tool "
                       "breaks; this title is given line by line")
        title = _title(r, m.get("title"), "title")
    return Notice(
        issuer=get("issuer", r.text), masthead=masthead,
        doc_number=doc_number, title=title,
        addressees=addressees,
        body=read_body(r, m["body"], "body") if "body" in m else (),
        closing=get("closing", r.text), signature=signatures[0] if signatures else None,
        date=get("date", r.date), disclosure=get("disclosure", r.text),
        printed_by=get("printed_by", r.text), printed_on=get("printed_on", r.date),
        attachments=read_attachments(r, m["attachments"]) if "attachments" in m else (),
        heading_3_bold="heading_3_bold" in m and yes_no(r, m["heading_3_bold"], "heading_3_bold"),
        organs=organs, masthead_word=word, signatures=signatures, **extra,
    )


def _getter(r: Reader, m: dict):
    def get(key, read, *args):
        return read(m[key], key, *args) if key in m else None
    return get


def _title(r: Reader, node, where: str) -> tuple[str, ...]:
    if node is None:
        return ()
    lines = []
    for n, item in enumerate(r.sequence(node, where), start=1):
        line = r.text(item, f"{where} line {n}", "title")
        if line is None:
            continue
        width = text_width(plain(line))
        if width > TITLE_LINE_LIMIT:
            r.fail(item, f"{where} line {n}", f"holds {width:g} characters; a title line "
                   f"holds at most {TITLE_LINE_LIMIT}: break it into two lines")
        lines.append(line)
    return tuple(lines)


# -- workpoints.yaml -------------------------------------------------------------------------

def _read_workpoints(r: Reader, node) -> TextDocument | None:
    """The document the notice issues (印发): its title, its body, the attachments it lists."""
    m = r.mapping(node, "document", ("title", "body"), ("attachments",))
    if m is None:
        return None
    return TextDocument(
        _title(r, m.get("title"), "title"),
        read_body(r, m["body"], "body") if "body" in m else (),
        read_attachments(r, m["attachments"]) if "attachments" in m else ())


_READERS = {
    "notice.yaml": _read_notice,
    "workpoints.yaml": _read_workpoints,
    "checklist.yaml": read_checklist,
    "units.yaml": read_units,
}


def _with_warnings(content: Content) -> Content:
    """Warnings do not stop a build: recipients with no work, workers not on the list."""
    working = {u.name for u in content.assignments_by_unit()}
    recipients = {u.name for u in content.units.recipients}
    idle = content.idle_recipients()
    outside = [u.name for u in content.units.other_units if u.name in working]
    warnings = []
    if idle:
        noun = "recipient has" if len(idle) == 1 else "recipients have"
        warnings.append(f"{len(idle)} {noun} no assignment: {'、'.join(idle)}")
    if outside:
        warnings.append(f"assigned but not on the {content.units.recipients_title}: "
                        f"{'、'.join(n for n in outside if n not in recipients)}")
    warnings += limits.date_warnings(content.notice, [
        (i.number, i.deadline) for i in (content.checklist.indicators if content.checklist
                                         else ())])
    return Content(content.folder, content.notice, content.workpoints, content.checklist,
                   content.units, content.files, content.spots, tuple(warnings))

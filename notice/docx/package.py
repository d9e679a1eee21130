"""Packs the DOCX reproducibly: properties from the HTML head, no unused parts, fixed zip."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from ..output import normalize_zip

# parts of python-docx's template that the notice does not use
_UNUSED = {RT.CUSTOM_XML, RT.WEB_SETTINGS, RT.NUMBERING, RT.THUMBNAIL,
           "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"}
_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def html_metadata(tree) -> dict[str, str]:
    """The <title> and <meta name=…> of the semantic HTML's head."""
    meta = {m.get("name"): m.get("content", "") for m in tree.iter("meta") if m.get("name")}
    meta["title"] = tree.findtext(".//title") or ""
    return meta


def drop_unused_parts(document) -> None:
    for owner in (document.part, document.part.package):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in _UNUSED:
                del owner.rels[rid]


def set_properties(document, meta: dict[str, str]) -> dt.datetime:
    """Core properties of the notice; created and modified are its date. Returns that date."""
    when = dt.datetime.fromisoformat(meta["dcterms.created"])
    utc = when.astimezone(dt.UTC).replace(tzinfo=None)
    core = document.core_properties
    core.title = _clipped(meta["title"])
    core.author = core.last_modified_by = _clipped(meta["author"])
    core.subject = _clipped(meta["description"])
    core.keywords = _clipped(meta["keywords"])
    core.comments = ""
    core.language = "zh-CN"
    core.revision = 1
    core.created = utc
    core.modified = dt.datetime.fromisoformat(meta["dcterms.modified"]).astimezone(
        dt.UTC).replace(tzinfo=None)
    return when


def _clipped(text: str) -> str:
    """A core property holds at most 255 characters (python-docx refuses more): a long title
    or a letter's long attachment name is cut there, with an ellipsis."""
    return text if len(text) <= 255 else text[:254] + "…"


def app_properties_xml(meta: dict[str, str]) -> bytes:
    """docProps/app.xml naming the program and the issuing organ, nothing that varies."""
    root = etree.Element(f"{{{_EXTENDED}}}Properties", nsmap={None: _EXTENDED})
    for name, value in (("Application", meta.get("generator", "")), ("DocSecurity", "0"),
                        ("ScaleCrop", "false"), ("Company", meta["author"]),
                        ("LinksUpToDate", "false"), ("SharedDoc", "false")):
        etree.SubElement(root, f"{{{_EXTENDED}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _replace_parts(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same package with the named parts' bytes replaced (stored; normalize_zip packs)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name) or source.read(name))
    return out.getvalue()


def pack(document, meta: dict[str, str], replace: dict[str, bytes]) -> bytes:
    """The finished DOCX's bytes: the same document always gives the same bytes."""
    drop_unused_parts(document)
    when = set_properties(document, meta)
    saved = io.BytesIO()
    document.save(saved)
    replace = {"docProps/app.xml": app_properties_xml(meta), **replace}
    return normalize_zip(_replace_parts(saved.getvalue(), replace), when.timetuple()[:6])

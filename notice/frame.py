"""The notice's frame elements of GB/T 9704-2012 read from notice.yaml: 份号, 密级, 紧急程度,
联合行文's 标志, 签发人, title given as one string, 署名 of several organs, 印章, 签名章, 附注
and 抄送. Each is optional unless the standard makes it depend on another; each bad value is a
located content problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from PIL import Image, UnidentifiedImageError

from . import style
from .folder import ASSETS
from .schema import Reader
from .titles import TitleTooLong, break_title

# keys of notice.yaml this module reads, all optional
KEYS = ("copy_number", "classification", "urgency", "direction", "signers", "title_keep",
        "title_shape", "seal", "seal_size_mm", "signed_by", "notes", "copy_to")
MARK_KEYS = KEYS[:3]  # 份号, 密级和保密期限, 紧急程度: a letter's too (sheets.yaml)
SHAPES = {"梯形": "trapezoid", "倒梯形": "inverted", "菱形": "diamond", "auto": "auto"}
_CLASSIFIED = re.compile(rf"({'|'.join(style.CLASSIFICATIONS)})(?:★(\S+))?")


def read_masthead(r: Reader, node) -> tuple[str | None, tuple[str, ...], str]:
    """masthead: one line of text, or {organs: [host, …], word: 文件} for a 联合行文.

    Returns (the 标志 as one string, the organs, the word); the organs are () for one line.
    """
    if not isinstance(node, yaml.MappingNode):
        return r.text(node, "masthead", "title"), (), ""
    m = r.mapping(node, "masthead", ("organs",), ("word",))
    if m is None or "organs" not in m:
        return None, (), ""
    organs = r.texts(m["organs"], "masthead: organs", "title", item="masthead: organ")
    word = r.text(m["word"], "masthead: word", "title") if "word" in m else ""
    if organs and len(organs) < 2:
        r.fail(m["organs"], "masthead: organs", "a 联合行文 names at least two organs; for "
               "one organ write the 标志 as one line (masthead: …文件)")
    return "".join(organs) + (word or ""), organs, word or ""


def read_signatures(r: Reader, node) -> tuple[str, ...]:
    """signature: one 署名, or a list of them for a 联合行文 (host first)."""
    if isinstance(node, yaml.SequenceNode):
        return r.texts(node, "signature")
    text = r.text(node, "signature")
    return (text,) if text else ()


def read_marks(r: Reader, m: dict) -> dict:
    """份号, 密级和保密期限 and 紧急程度 (7.2.1-7.2.3), each optional: the notice's (notice.yaml)
    and the letters' (sheets.yaml, 10.1), read alike."""
    out: dict = {}
    if "copy_number" in m:
        value = r.text(m["copy_number"], "copy_number")
        if value is not None and not re.fullmatch(rf"[0-9]{{{style.COPY_NUMBER_DIGITS}}}", value):
            r.fail(m["copy_number"], "copy_number", f'"{value}" must be '
                   f"{style.COPY_NUMBER_DIGITS} digits, such as \"000123\" (GB/T 9704 7.2.1)")
        elif value is not None:
            out["copy_number"] = value
    if "classification" in m:
        value = r.text(m["classification"], "classification")
        if value is not None and not _CLASSIFIED.fullmatch(value):
            levels = ", ".join(style.CLASSIFICATIONS[:-1]) + f" or {style.CLASSIFICATIONS[-1]}"
            r.fail(m["classification"], "classification", f'"{value}" is not a 密级: write '
                   f"{levels}, with the period after ★ if there is one (机密★1年)")
        elif value is not None:
            out["classification"] = value
            if "copy_number" not in m:
                r.fail(m["classification"], "classification", "a classified document needs "
                       "its 份号: add copy_number (GB/T 9704 7.2.1)")
    if "urgency" in m:
        out["urgency"] = r.choice(m["urgency"], "urgency", style.URGENCIES)
    return out


def read_frame(r: Reader, m: dict) -> dict:
    """The optional frame fields of notice.yaml, as keyword arguments of model.Notice."""
    out: dict = read_marks(r, m)
    direction = "下行文"
    if "direction" in m:
        direction = r.choice(m["direction"], "direction", style.DIRECTIONS) or direction
        out["direction"] = direction
    if "signers" in m:
        signers = r.texts(m["signers"], "signers", "kai", item="signer")
        if direction != "上行文":
            r.fail(m["signers"], "signers", "签发人 are printed only on a 上行文 (GB/T 9704 "
                   f"7.2.6); this document is a {direction}: set direction: 上行文 or remove "
                   "signers")
        out["signers"] = signers
    elif direction == "上行文" and "direction" in m:
        r.fail(m["direction"], "direction", "a 上行文 carries its 签发人 (GB/T 9704 7.2.6): add "
               "signers: [name, …]")
    if "seal" in m:
        node = m["seal"]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        paths = [r.text(item, "seal") for item in items]
        out["seals"] = tuple(Path(p) for p in paths if p)
    if "seal_size_mm" in m:
        out["seal_size_mm"] = float(r.integer(m["seal_size_mm"], "seal_size_mm", 20, 60)
                                    or style.SEAL_SIZE_MM)
    if "signed_by" in m:
        s = r.mapping(m["signed_by"], "signed_by", ("title", "image"))
        if s and len(s) == 2:
            out["signed_title"] = r.text(s["title"], "signed_by: title")
            image = r.text(s["image"], "signed_by: image")
            out["signed_image"] = Path(image) if image else None
        if "seal" in m:
            r.fail(m["signed_by"], "signed_by", "a document is either sealed (seal) or signed "
                   "with a 签名章 (signed_by), not both: remove one")
    if "notes" in m:
        value = r.text(m["notes"], "notes")
        if value and value.startswith(("（", "(")):
            r.fail(m["notes"], "notes", "write the 附注 without its brackets: they are printed "
                   "for you")
        out["notes"] = value
    if "copy_to" in m:
        out["copy_to"] = r.texts(m["copy_to"], "copy_to", item="copy_to")
    return out


def check_seals(r: Reader, m: dict, signatures: tuple[str, ...], organs: tuple[str, ...],
                folder: Path) -> None:
    """Seal and 签名章 images: one seal per 署名, each a file of the folder's assets/ that
    Pillow reads, with a transparent background (a seal drawn over text must let it show)."""
    if "seal" in m:
        node = m["seal"]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if signatures and len(items) != len(signatures):
            r.fail(node, "seal", f"{len(signatures)} 署名 need {len(signatures)} seals, one "
                   f"each (in the order of signature); {len(items)} given")
        for item in items:
            _check_image(r, item, "seal", folder)
    if isinstance(m.get("signed_by"), yaml.MappingNode):
        for key, value in m["signed_by"].value:
            if key.value == "image":
                _check_image(r, value, "signed_by: image", folder)
        if len(signatures) > 1:
            r.fail(m["signed_by"], "signed_by", "a 签名章 signs a document of one organ; a "
                   "联合行文 is sealed (seal: one image per 署名)")
    if organs and signatures and len(signatures) not in (1, len(organs)):
        r.fail(m["signature"], "signature", f"the 标志 names {len(organs)} organs: give one "
               f"署名 or {len(organs)}, in the same order")


def _check_image(r: Reader, node, where: str, folder: Path) -> None:
    if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
        return
    name = node.value.strip()
    path = Path(name)
    if path.is_absolute() or not path.parts or path.parts[0] != ASSETS or ".." in path.parts:
        r.fail(node, where, f'"{name}" must be a file in the content folder\'s {ASSETS}/ '
               f"folder, written as {ASSETS}/NAME.png")
        return
    full = folder / path
    if not full.is_file():
        r.fail(node, where, f'"{name}" is not in the content folder; put the image there '
               "(a PNG with a transparent background)")
        return
    if full.suffix.lower() == ".svg":
        r.fail(node, where, f'"{name}" is an SVG image, which the DOCX cannot carry; export '
               "it as a PNG with a transparent background")
        return
    try:
        with Image.open(full) as image:
            image.load()
            kind, mode = image.format, image.mode
            alpha = image.getchannel("A") if "A" in image.getbands() else None
            transparent = (alpha is not None and alpha.getextrema()[0] < 255) or (
                mode == "P" and "transparency" in image.info)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        reason = str(exc).split(" '")[0] if str(exc) else type(exc).__name__
        r.fail(node, where, f'"{name}" cannot be read as an image ({reason}); give a PNG with '
               "a transparent background")
        return
    if kind != "PNG":
        r.fail(node, where, f'"{name}" is a {kind} image, which has no transparent '
               "background; give a PNG with a transparent background")
    elif not transparent:
        r.fail(node, where, f'"{name}" has no transparent pixel: its background would hide '
               "the text under it; give a PNG with a transparent background")


def break_long_title(r: Reader, node, title: str, keep: tuple[str, ...], shape: str,
                     limit: float) -> tuple[str, ...]:
    """A title given as one string, broken into lines by meaning (7.3.1)."""
    try:
        return break_title(title, limit, keep, shape)
    except TitleTooLong as exc:
        r.fail(node, "title", f'"{exc.piece}" is {exc.width:g} characters wide and may not be '
               f"broken, but a title line holds at most {exc.limit:g}: give the title as a "
               "list of lines")
        return (title,)

"""Font roles resolved to installed faces, and the check that every character has a glyph."""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont

from .errors import ContentError, Problem
from .markup import plain
from .model import Spot
from .style import FONT_ROLES

ROLE_NAMES = {"title": "标题", "body": "正文", "heading": "黑体标题", "kai": "楷体标题",
              "page_number": "页码"}


@dataclass(frozen=True)
class Face:
    """One installed face: the family name CSS asks for, and the file that holds it."""

    family: str
    path: str
    index: int
    bold: bool

    @property
    def css_family(self) -> str:
        """The name CSS uses: a face of its own (@font-face) unless it sits in a collection."""
        if self.path.lower().endswith(".ttc"):
            return self.family
        # the file's name, kept to characters that cannot end the CSS string it is written in
        return "gbt-" + re.sub(r"[^0-9A-Za-z_-]", "_", Path(self.path).stem)

    @property
    def url(self) -> str:
        return Path(self.path).as_uri()

    @property
    def label(self) -> str:
        return f"{self.family}{' Bold' if self.bold else ''} ({Path(self.path).name})"


@functools.cache
def _installed() -> tuple[tuple[frozenset[str], str, int, int], ...]:
    """(family names, file, index in a collection, weight) of every face fontconfig knows."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{family}|%{file}|%{index}|%{style}\n"],
            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ()
    faces = []
    for row in listing.splitlines():
        families, path, index, style = row.rsplit("|", 3)
        # fontconfig's weight is wrong for some faces (Fandol's bold files say 80): trust the
        # style name instead
        weight = 200 if "bold" in style.lower() else 80
        faces.append((frozenset(f.strip() for f in families.split(",")), path, int(index), weight))
    return tuple(faces)


def _find(spec: str) -> Face | None:
    """The installed face for "Family" or "Family:bold", or a font file's path."""
    if "/" in spec or spec.lower().endswith((".otf", ".ttf", ".ttc")):
        path = Path(spec).expanduser()
        return Face(f"user-{path.stem}", str(path.resolve()), 0, False) if path.is_file() else None
    family, _, style = spec.partition(":")
    bold = style == "bold"
    matches = [f for f in _installed() if family in f[0]]
    if not matches:
        return None
    # fontconfig weights: 80 regular, 200 bold; take the nearest to what the role asks for
    names, path, index, _ = min(matches, key=lambda f: abs(f[3] - (200 if bold else 80)))
    return Face(family, path, index, bold)


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


@dataclass(frozen=True)
class FontSet:
    """Each role's faces in order of preference, as found on this machine."""

    roles: dict[str, tuple[Face, ...]]

    def face_for(self, role: str, char: str) -> Face | None:
        """The face that draws a character in a role: the first that has a glyph for it."""
        code = ord(char)
        for face in self.roles[role]:
            if code in _cmap(face.path, face.index):
                return face
        return None

    def css_families(self, role: str) -> str:
        return ", ".join(f'"{f.css_family}"' for f in self.roles[role])

    def font_faces(self) -> list[Face]:
        """The faces the CSS declares with @font-face, each once."""
        seen = {}
        for faces in self.roles.values():
            for face in faces:
                if face.css_family != face.family:
                    seen.setdefault(face.path, face)
        return list(seen.values())

    def files(self) -> list[str]:
        return sorted({f.path for faces in self.roles.values() for f in faces})

    def summary(self) -> list[str]:
        lines = []
        for role, faces in self.roles.items():
            rest = f" (then {', '.join(f.family for f in faces[1:])})" if faces[1:] else ""
            lines.append(f"{ROLE_NAMES[role]}: {faces[0].label}{rest}")
        return lines


def resolve_fonts(overrides: dict[str, str] | None = None) -> FontSet:
    """Find every role's faces; a user's font file for a role goes first in its list."""
    problems = []
    roles: dict[str, tuple[Face, ...]] = {}
    for role, specs in FONT_ROLES.items():
        wanted = list(specs)
        if overrides and role in overrides:
            user = _find(overrides[role])
            if user is None:
                problems.append(Problem("--font", 0, 0, role,
                                        f'the font file "{overrides[role]}" does not exist'))
            else:
                roles[role] = (user,)
        faces = [f for f in (_find(s) for s in wanted) if f is not None]
        roles[role] = roles.get(role, ()) + tuple(faces)
        if not roles[role]:
            problems.append(Problem("fonts", 0, 0, ROLE_NAMES[role],
                                    f"none of the faces {', '.join(specs)} is installed; "
                                    "run scripts/setup.sh"))
    if problems:
        raise ContentError(problems)
    return FontSet(roles)


def _families(fonts: FontSet, role: str) -> str:
    return ", ".join(f.family for f in fonts.roles[role])


def check_coverage(fonts: FontSet, spots: tuple[Spot, ...]) -> None:
    """Refuse, before rendering, any character that no face of its role can draw."""
    problems = []
    for spot in spots:
        for char in set(plain(spot.text)):
            if char.isspace() or fonts.face_for(spot.role, char) is not None:
                continue
            name = unicodedata.name(char, "unnamed character")
            problems.append(Problem(
                spot.file, spot.line, spot.column, spot.where,
                f'the character "{char}" (U+{ord(char):04X}, {name}) is in none of the fonts '
                f"for {ROLE_NAMES[spot.role]} ({_families(fonts, spot.role)}); "
                "replace it or install a font that has it"))
    if problems:
        raise ContentError(problems)

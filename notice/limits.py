"""The stated limits of a content folder, the characters a name may not hold, and the date
orders a notice is expected to keep (warnings)."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

FILE_BYTES = 1_000_000  # a content file (the 2021 checklist, the largest, is 29 kB)
TEXT_CHARACTERS = 5_000  # one text: a paragraph, a task list (about twelve landscape pages)
LIST_ITEMS = 1_000  # one list: indicators of a task, units, paragraphs…

# Characters that draw nothing, or change how others are drawn, and so make two names that
# look the same differ (and file names that cannot be told apart):
# - Unicode category Cf (format): soft hyphen U+00AD, zero-width space and joiners
#   U+200B–U+200D, word joiner U+2060, byte order mark U+FEFF, bidirectional marks and
#   embeddings U+200E/F, U+202A–U+202E, U+2066–U+2069…
# - Cc (control), Co (private use), Cn (unassigned), Cs (surrogates)
# - Zl, Zp (line and paragraph separators) and every space but the ordinary one and the
#   ideographic one (U+3000): U+00A0, U+1680 OGHAM SPACE MARK, U+2000–U+200A, U+202F, U+205F
# - the Hangul fillers, letters that are blank by design: U+115F, U+1160, U+3164, U+FFA0
REFUSED_IN_NAMES = {"Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp"}
SPACES_ALLOWED = {" ", "\u3000"}
HANGUL_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def name_problem(name: str) -> str | None:
    """Why a unit's name cannot be used, if it holds an invisible or format character."""
    for character in name:
        category = unicodedata.category(character)
        if (category in REFUSED_IN_NAMES or character in HANGUL_FILLERS
                or (category == "Zs" and character not in SPACES_ALLOWED)):
            label = unicodedata.name(character, "unnamed")
            return (f"contains U+{ord(character):04X} ({label}), a character that shows "
                    "nothing or changes how the others show; a unit's name may not hold one "
                    "(delete it, or type an ordinary space)")
    return None


def text_problem(text: str) -> str | None:
    if len(text) > TEXT_CHARACTERS:
        return (f"holds {len(text)} characters; a text holds at most {TEXT_CHARACTERS} "
                "(split it, or move the detail to an attachment)")
    return None


def list_problem(count: int) -> str | None:
    if count > LIST_ITEMS:
        return f"holds {count} items; a list holds at most {LIST_ITEMS}"
    return None


def file_problem(size: int) -> str | None:
    if size > FILE_BYTES:
        return (f"the file holds {size} bytes; a content file holds at most {FILE_BYTES} "
                "(is it the right file?)")
    return None


def date_warnings(notice, deadlines) -> list[str]:
    """Dates out of their usual order: not wrong for certain, so warnings.

    `notice` has date (成文日期), printed_on (印发日期) and doc_number (发文字号 〔year〕);
    `deadlines` is a list of (indicator number, Deadline)."""
    warnings = []
    date, printed = notice.date, notice.printed_on
    if date and printed and date > printed:
        warnings.append(f"the notice is dated {date} (成文), after it is printed on {printed} "
                        "(印发); check the two dates")
    if date and notice.doc_number and date.year != notice.doc_number.year:
        warnings.append(f"the notice is dated {date}, but its number says 〔"
                        f"{notice.doc_number.year}〕; check the date and the number's year")
    if date:
        early = [str(number) for number, deadline in deadlines
                 if deadline is not None and deadline.dated and _last_day(deadline) < date]
        if early:
            warnings.append(f"{len(early)} deadline{'s' if len(early) > 1 else ''} before the "
                            f"notice's date ({date}): indicator{'s' if len(early) > 1 else ''} "
                            f"{', '.join(early)}")
    return warnings


def _last_day(deadline) -> dt.date:
    """The last day a deadline names: its day, or the end of its month or year."""
    month = deadline.month or 12
    day = deadline.day or calendar.monthrange(deadline.year, month)[1]
    return dt.date(deadline.year, month, day)

"""Chinese numerals: heading numbers 一、二、… and the ordinals of the checklist's tasks."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
ORDINAL_CHARACTERS = DIGITS[1:] + "十"  # what a task's ordinal (二, 十一) may be written with


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (heading numbers 一、二、…); n below 100."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")


def is_ordinal(text: str) -> bool:
    """Whether a text is written only in the characters of a Chinese ordinal."""
    return all(ch in ORDINAL_CHARACTERS for ch in text)

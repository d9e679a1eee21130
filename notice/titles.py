"""Breaks a document title (标题) into lines by meaning and shape, GB/T 9704-2012 clause 7.3.1.

The clause asks that a title broken over lines keep its words whole (词意完整) and be laid out
symmetrically (排列对称), as a trapezoid (梯形, 正 or 倒) or a diamond (菱形). `break_title`
finds every way to break the title into the fewest lines that never cuts what must stay whole,
and picks the one with the lowest cost: how weak its break points are plus how far its line
lengths stray from the shape asked for.

Hard rules (a break there is never made):
- inside a word, as a Chinese segmenter (jieba) cuts the title; a one-character word that jieba
  leaves alone stays with the word before it (示范|市 -> 示范市), or after it for a prefix (各);
- inside a number with its unit (2023年度, 1号, 〔2023〕5号), an ASCII run (PM2.5, GB/T), or a
  sub/superscript (_{…}, ^{…}), nor just before the latter;
- inside any `keep` string (organ and unit names the caller knows) or any bracketed span
  (《…》, （…）, “…”) that fits on one line;
- before closing punctuation (，。、》）” …) or after opening punctuation (《（“ …).

A keep string or bracketed span wider than a line is broken inside, at a word boundary, at a
cost. If one unbreakable piece is itself wider than a line, `TitleTooLong` says which.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import warnings
from collections.abc import Iterable
from itertools import pairwise

from .markup import plain, text_width
from .usercache import Kept

SHAPES = ("auto", "trapezoid", "inverted", "diamond")

CLOSING = "，。、；：？！）》」』’”〕】〉…—·,.;:?!)]}%％"  # never starts a line
OPENING = "（《「『‘“〔【〈([{·"  # never ends a line
BRACKETS = {"《": "》", "〈": "〉", "（": "）", "(": ")", "“": "”", "‘": "’", "「": "」",
            "『": "』", "〔": "〕", "【": "】", "[": "]"}

_HAN = re.compile(r"[\u3400-\u9fff]")
_MARKUP = re.compile(r"[_^]\{[^}]*\}")
_ASCII_RUN = re.compile(r"[!-~]+")
_UNITS = ("年度|周年|年|季度|月份|月|日|号|批次|批|期|次|届|个|项|条|家|件|人|万元|亿元|元|万|亿"
          "|%|％|版|类|级|章|节|款|天|名|所|座|户|公里|千米|米|吨|亩|平方米|小时|岁|倍")
_NUMBER = re.compile(
    r"[0-9０-９]{4}年[0-9０-９]{1,2}月(?:[0-9０-９]{1,2}日)?|"  # a date: 2023年12月31日
    rf"第?[0-9０-９]+(?:[.．:：/-][0-9０-９]+)*(?:\s*[—–~～至-]+\s*[0-9０-９]+)?(?:{_UNITS})?"
    rf"|第[一二三四五六七八九十百零〇两]+(?:{_UNITS}|轮|部分)")
_NUMBER_END = re.compile(rf"(?:[0-9０-９]|第[一二三四五六七八九十百零〇两]+)(?:{_UNITS})?$")
_DOC_NUMBER = re.compile(r"[〔\[][0-9]{4}[〕\]][0-9]+号?")  # 〔2023〕5号: year and number
# One-character words that join the next word rather than the one before (各乡镇, 第一批).
_PREFIXES = set("各全本该每非副第")
# One-character words that stand alone: a line may end or begin at them.
_FUNCTION_WORDS = set("的地得和与及或暨并且而对在为于将把被从向以由之其即")
# Words that open a phrase: a run of two-character words is not paired across them. The
# commonest verbs of titles are among them, so that their objects pair up on their own
# (印发|生活垃圾|治理…, not 印发生活|垃圾治理).
_PHRASE_OPENERS = {
    "关于", "对于", "根据", "按照", "为了", "印发", "转发", "批转", "发布", "公布", "做好", "加强",
    "加快", "开展", "推进", "推动", "落实", "召开", "举办", "组织", "申请", "请求", "商请", "提供",
    "调整", "成立", "下达", "表彰", "通报", "实施", "建立", "健全", "完善", "深化", "规范", "支持",
    "同意", "追加", "解决", "启动", "进行", "协助", "切实", "认真", "全面"}
_CONJUNCTIONS = set("和与及或暨并")

# The costs of a break point: lower is a better place to end a line.
COST_CLEAN = 0.0  # after closing punctuation, before opening punctuation, before 关于
COST_LIGHT = 1.0  # before 的, before a conjunction, around a number
COST_WORD = 2.0  # between two words
COST_DANGLING = 3.0  # after 的 or a conjunction: the line ends on a word that needs the next
COST_FOOT = 8.0  # added inside a pair of two-character words (安全|生产, 河湖|管护): 四字格
COST_INSIDE = 4.0  # added per too-wide keep string or bracketed span the break falls inside
# The costs of a shape, in squared characters.
STEP = 0.02  # per squared difference between neighbouring lines: gentle steps read as regular
AGAINST_SHAPE = 1.0  # per squared character a line goes against the shape ("auto")
AGAINST_ASKED = 4.0  # the same, for a shape the caller asked for
STUB = 50.0  # a line of one or two characters (a 文种 left alone: 通知, 函)
SHORT_LAST = 20.0  # a last line shorter than a third of the longest, plus 3 per character short


class TitleTooLong(ValueError):
    """One piece of the title that cannot be broken is wider than a title line."""

    def __init__(self, piece: str, width: float, limit: float):
        self.piece, self.width, self.limit = piece, width, limit
        super().__init__(f'"{piece}" is {width:g} characters wide and cannot be broken, but a '
                         f"title line holds at most {limit:g}")


def break_title(title: str, limit: float = 20, keep: Iterable[str] = (),
                shape: str = "auto") -> tuple[str, ...]:
    """The title's lines: the fewest lines of at most `limit` characters (ASCII counts half)
    that break nowhere forbidden, then the best placed breaks and the best shape.

    `keep` are strings never broken when they fit on a line (organ and unit names); one wider
    than a line is broken between words, at a cost, like a too-wide 《…》. `shape`
    is "trapezoid" (正梯形, lines longer downwards), "inverted" (倒梯形, shorter downwards),
    "diamond" (菱形, short, long, short) or "auto" (whichever fits best, equal lines included).
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    title = title.strip()
    if not title:
        return ()
    costs = _break_costs(title, limit, tuple(dict.fromkeys(k for k in keep if k)))
    gaps = [0] + sorted(costs) + [len(title)]
    width = functools.cache(lambda i, j: _width(title[gaps[i]:gaps[j]]))
    fits = {i: list(itertools.takewhile(lambda j, i=i: width(i, j) <= limit,
                                        range(i + 1, len(gaps))))
            for i in range(len(gaps) - 1)}
    fewest = _fewest_lines(fits, len(gaps) - 1)
    if fewest[0] is None:
        raise _too_long(title, gaps, limit)
    best = None
    for ends in _breakings(fits, fewest, 0, fewest[0]):
        widths = [width(i, j) for i, j in pairwise((0, *ends))]
        cost = _shape_cost(widths, shape) + sum(costs[gaps[j]] for j in ends[:-1])
        key = (round(cost, 6), ends)  # equal costs: the earlier breaks, so the result is stable
        if best is None or key < best:
            best = key
    return tuple(title[gaps[i]:gaps[j]].strip() for i, j in pairwise((0, *best[1])))


def _width(line: str) -> float:
    return text_width(plain(line.strip()))


def _shape_cost(widths: list[float], shape: str) -> float:
    """How far the line lengths stray from a regular shape, in squared characters."""
    cost = STEP * sum((a - b) ** 2 for a, b in pairwise(widths))
    if len(widths) > 1:
        longest, last = max(widths), widths[-1]
        cost += STUB * sum(w <= 2 for w in widths)
        if last < longest / 3:
            cost += SHORT_LAST + 3 * (longest / 3 - last)
    against = {"trapezoid": _against(widths, len(widths)),
               "inverted": _against(widths, 0)}
    if len(widths) >= 3:  # a diamond needs a long line between two shorter ones
        against["diamond"] = min(_against(widths, peak) for peak in range(1, len(widths) - 1))
    if shape == "auto":
        return cost + AGAINST_SHAPE * min(against.values())
    return cost + AGAINST_ASKED * against.get(shape, min(against.values()))


def _against(widths: list[float], peak: int) -> float:
    """Squared characters by which lines fail to grow up to line `peak` and shrink after it."""
    return (sum(max(0.0, a - b) ** 2 for a, b in pairwise(widths[:peak + 1]))
            + sum(max(0.0, b - a) ** 2 for a, b in pairwise(widths[peak:])))


def _fewest_lines(fits: dict[int, list[int]], end: int) -> dict[int, int | None]:
    """For each break point, the fewest lines the rest of the title takes (None: cannot)."""
    fewest: dict[int, int | None] = {end: 0}
    for i in range(end - 1, -1, -1):
        after = [fewest[j] for j in fits[i] if fewest[j] is not None]
        fewest[i] = 1 + min(after) if after else None
    return fewest


def _breakings(fits, fewest, start: int, lines: int):
    """Every way to end `lines` lines from break point `start`, as the tuple of line ends."""
    if lines == 0:
        yield ()
        return
    for j in fits[start]:
        if fewest[j] is not None and fewest[j] <= lines - 1:
            for rest in _breakings(fits, fewest, j, lines - 1):
                yield (j, *rest)


def _too_long(title: str, gaps: list[int], limit: float) -> TitleTooLong:
    pieces = [title[i:j].strip() for i, j in pairwise(gaps)]
    piece = max(pieces, key=_width)
    return TitleTooLong(piece, _width(piece), limit)


# -- where a line may end ------------------------------------------------------------------

def _break_costs(title: str, limit: float, keep: tuple[str, ...]) -> dict[int, float]:
    """The places a line may end (index of the first character of the next line) and the
    cost of ending a line there."""
    words = _words(title)
    n = len(title)
    starts = {start for start, _ in words}
    forbidden: set[int] = set()
    wide: list[tuple[int, int]] = []  # too-wide keep strings and bracketed spans

    def whole(start: int, end: int, may_break: bool = False) -> None:
        if may_break:  # a name or a bracketed span: a line may end where it does
            starts.update((start, end))
        if may_break and _width(title[start:end]) > limit:
            wide.append((start, end))
        else:
            forbidden.update(range(start + 1, end))

    for pattern in (_NUMBER, _DOC_NUMBER, _ASCII_RUN):
        for m in pattern.finditer(title):
            whole(m.start(), m.end())
    for m in _MARKUP.finditer(title):
        whole(m.start(), m.end())
        forbidden.add(m.start())
    for word in keep:
        for m in re.finditer(f"(?={re.escape(word)})", title):
            whole(m.start(), m.start() + len(word), may_break=True)
    for start, end in _bracketed(title):
        whole(start, end, may_break=True)
    for (start, end), (next_start, next_end) in pairwise(words):
        word, following = title[start:end], title[next_start:next_end]
        if len(word) == 1 and word in _PREFIXES and _HAN.match(following):
            forbidden.add(end)
        if (len(following) == 1 and _HAN.match(following) and _HAN.match(word[-1])
                and following not in _FUNCTION_WORDS | _PREFIXES):
            forbidden.add(next_start)  # a suffix jieba left alone: 示范|市
    for i in range(1, n):
        before, after = title[i - 1], title[i]
        if after in CLOSING or before in OPENING or after.isspace() or before + after in (
                "——", "……"):
            forbidden.add(i)

    bounds = sorted((starts - forbidden) | {0, n})
    feet = _feet(title, bounds)
    costs = {}
    for i in bounds[1:-1]:
        cost = _boundary_cost(title, i) + (COST_FOOT if i in feet else 0)
        cost += COST_INSIDE * sum(start < i < end for start, end in wide)
        costs[i] = cost
    return costs


def _boundary_cost(title: str, i: int) -> float:
    before, after = title[:i].rstrip(), title[i:].lstrip()
    if before[-1] in CLOSING or after[0] in OPENING or after.startswith("关于"):
        return COST_CLEAN
    if before[-1] == "的" or before[-1] in _CONJUNCTIONS:
        return COST_DANGLING
    if after[0] == "的" or after[0] in _CONJUNCTIONS or after[0].isdigit() or _NUMBER_END.search(
            before):
        return COST_LIGHT
    return COST_WORD


def _feet(title: str, bounds: list[int]) -> set[int]:
    """Break points inside a 四字格: runs of two-character words pair up from the left
    (加强农村|生活垃圾|治理), and breaking inside a pair splits a four-character phrase.
    `bounds` are the break points the hard rules leave, the title's ends included."""
    inside: set[int] = set()
    run: list[int] = []  # the ends of the run's words
    for start, end in pairwise(bounds):
        word = title[start:end]
        if len(word) == 2 and all(_HAN.match(c) for c in word) and word not in _PHRASE_OPENERS:
            run.append(end)
            continue
        inside.update(run[0:-1:2])
        run = []
    inside.update(run[0:-1:2])
    return inside


def _bracketed(title: str) -> list[tuple[int, int]]:
    """Spans of matched brackets, the brackets included, innermost first."""
    spans, stack = [], []
    for i, ch in enumerate(title):
        if ch in BRACKETS:
            stack.append(i)
        elif stack and BRACKETS[title[stack[-1]]] == ch:
            spans.append((stack.pop(), i + 1))
    return spans


def _words(title: str) -> list[tuple[int, int]]:
    """Jieba's words as (start, end) character offsets; a title cut before comes from the
    user's cache (loading jieba's dictionary takes most of a rebuild with nothing changed)."""
    words = _WORDS.get(title)
    if words is None:
        words = [[start, end] for _, start, end in _segmenter().tokenize(title)]
        _WORDS.put(title, words)
        _WORDS.flush()
    return [tuple(word) for word in words]


def _jieba_version() -> str:
    from importlib import metadata

    return metadata.version("jieba")


# words-<jieba's version>.json, 500 titles (the oldest go first)
_WORDS = Kept(lambda: f"words-{_jieba_version()}", 500, lambda words: isinstance(words, list)
              and all(isinstance(w, list) and len(w) == 2 and all(type(n) is int for n in w)
                      for w in words))


@functools.cache
def _segmenter():
    """Jieba's tokenizer, its dictionary loaded on first use and quietly: jieba logs its
    progress to stderr and imports pkg_resources, which recent setuptools warns about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.CRITICAL)  # also a failed write of its cache: harmless
    tokenizer = jieba.Tokenizer()  # our own: adds no words to the process-wide one
    tokenizer.initialize()
    return tokenizer

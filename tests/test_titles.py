"""Breaking a title into lines (notice/titles.py): the rules a line break must keep, the
shapes asked for, and the problem reported when a piece cannot fit. No rendering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notice.content import TITLE_LINE_LIMIT
from notice.markup import plain, text_width
from notice.titles import CLOSING, OPENING, TitleTooLong, break_title

ROOT = Path(__file__).resolve().parent.parent

# The 2021 title, its organ's name (23 characters: too wide to keep on one line) and the name
# of its campaign (16: fits).
TITLE_2021 = ("巴中市创建国家生态文明建设示范市领导小组办公室关于印发"
              "《巴中市创建国家生态文明建设示范市2021年度工作要点》的通知")
ORGAN_2021 = "巴中市创建国家生态文明建设示范市领导小组办公室"
CAMPAIGN_2021 = "巴中市创建国家生态文明建设示范市"

FORWARDED = ("浙江省人民政府办公厅关于转发国务院办公厅关于进一步加强食品安全工作的意见"
             "（国办发〔2023〕12号）的通知")

# Titles of other offices: (title, keep, pieces no line may cut).
OTHERS = [
    ("安吉县人民政府办公室关于印发《安吉县农村生活垃圾分类处理工作实施方案》的通知",
     ("安吉县人民政府办公室",), ("实施方案", "的通知")),
    ("关于申请追加2023年度农村饮用水安全工程补助资金的请示", (), ("2023年度", "的请示")),
    ("国家税务总局绍兴市税务局关于商请提供2022年度企业所得税汇算清缴数据的函",
     ("国家税务总局绍兴市税务局",), ("2022年度", "的函")),
    (FORWARDED, ("浙江省人民政府办公厅", "国务院办公厅"), ("（国办发〔2023〕12号）",)),
    ("关于印发《嘉兴市中心城区城市更新和老旧小区改造提升三年攻坚行动计划（2023—2025年）》的通知",
     (), ("（2023—2025年）",)),
    ("关于做好2024年元旦春节期间安全生产和消防安全工作的通知", (), ("2024年",)),
    ("宁波市教育局关于公布第一批市级中小学劳动教育实践基地名单的通知", ("宁波市教育局",),
     ("第一批",)),
    ("中共平湖市委办公室平湖市人民政府办公室关于进一步加强和改进新时代农村基层党组织建设工作的"
     "实施意见", ("中共平湖市委办公室", "平湖市人民政府办公室"), ("进一步",)),
    ("舟山市人民政府关于2023年度市级财政预算执行情况和其他财政收支的审计工作报告",
     ("舟山市人民政府",), ("2023年度",)),
    ("湖州市生态环境局关于开展冬季PM_{2.5}和O_{3}污染协同治理专项行动的通知",
     ("湖州市生态环境局",), ("PM_{2.5}", "O_{3}")),
]


def widths(lines) -> list[float]:
    return [text_width(plain(line)) for line in lines]


def cuts(lines) -> set[int]:
    """Where the lines break the title, as offsets into it."""
    ends, at = set(), 0
    for line in lines[:-1]:
        at += len(line)
        ends.add(at)
    return ends


def cut_inside(lines, title: str, piece: str) -> bool:
    """Whether a break falls inside any occurrence of the piece."""
    assert piece in title, piece
    breaks = cuts(lines)
    starts = [i for i in range(len(title)) if title.startswith(piece, i)]
    return any(start < b < start + len(piece) for start in starts for b in breaks)


def assert_sound(lines, title: str, limit: float = TITLE_LINE_LIMIT) -> None:
    """The rules every breaking keeps, whatever the title."""
    assert "".join(lines) == title
    assert all(w <= limit for w in widths(lines)), widths(lines)
    assert all(lines), lines
    for before, after in zip(lines, lines[1:], strict=False):
        assert after[0] not in CLOSING and before[-1] not in OPENING, lines
    if len(lines) > 1:
        assert widths(lines)[-1] > 2, lines  # no 文种 left alone on the last line


# -- the 2021 title --------------------------------------------------------------------------

def test_the_2021_title_keeps_its_words_whole():
    lines = break_title(TITLE_2021, keep=(ORGAN_2021,))
    assert_sound(lines, TITLE_2021)
    for piece in ("创建国家", "生态文明", "示范市", "2021年度", "工作要点", "的通知"):
        assert not cut_inside(lines, TITLE_2021, piece), (piece, lines)
    # The organ's name does not fit on a line, so it is broken (once, between words); the
    # fewest lines are three, and only one three-line breaking keeps the words above whole.
    assert lines == ("巴中市创建国家生态文明建设示范市领导小组",
                     "办公室关于印发《巴中市创建国家生态文明",
                     "建设示范市2021年度工作要点》的通知")


def test_the_2021_title_with_its_campaign_kept_whole():
    lines = break_title(TITLE_2021, keep=(ORGAN_2021, CAMPAIGN_2021))
    assert_sound(lines, TITLE_2021)
    assert lines == ("巴中市创建国家生态文明建设示范市",
                     "领导小组办公室关于印发",
                     "《巴中市创建国家生态文明建设示范市",
                     "2021年度工作要点》的通知")


def test_the_hand_broken_2021_lines_cut_a_name_that_the_breaker_keeps():
    hand = ("巴中市创建国家生态文明建设示范市", "领导小组办公室关于印发《巴中市创建",
            "国家生态文明建设示范市2021年度", "工作要点》的通知")
    assert "".join(hand) == TITLE_2021
    assert cut_inside(hand, TITLE_2021, "创建国家")
    assert not cut_inside(break_title(TITLE_2021, keep=(ORGAN_2021, CAMPAIGN_2021)),
                          TITLE_2021, "创建国家")


# -- titles of other offices -----------------------------------------------------------------

@pytest.mark.parametrize(("title", "keep", "whole"), OTHERS, ids=[t[:12] for t, _, _ in OTHERS])
def test_titles_of_other_offices_break_soundly(title, keep, whole):
    lines = break_title(title, keep=keep)
    assert_sound(lines, title)
    for piece in keep + whole:
        assert not cut_inside(lines, title, piece), (piece, lines)
    fewest = -(-text_width(plain(title)) // TITLE_LINE_LIMIT)
    assert len(lines) <= fewest + 1, lines  # no line wasted


def test_a_short_title_is_one_line():
    title = "关于召开全市安全生产工作会议的通知"
    assert break_title(title) == (title,)


def test_a_title_of_exactly_the_limit_is_one_line():
    title = "关于开展冬季PM_{2.5}污染专项治理行动的通知"  # 19.5: the markup and ASCII count less
    assert break_title(title) == (title,)


def test_a_request_breaks_after_its_year_not_inside_a_phrase():
    assert break_title("关于申请追加2023年度农村饮用水安全工程补助资金的请示") == (
        "关于申请追加2023年度", "农村饮用水安全工程补助资金的请示")


def test_an_organ_name_ends_a_line_before_guanyu():
    assert break_title(FORWARDED, keep=("浙江省人民政府办公厅", "国务院办公厅")) == (
        "浙江省人民政府办公厅关于转发国务院办公厅",
        "关于进一步加强食品安全工作的意见",
        "（国办发〔2023〕12号）的通知")


def test_a_book_title_that_fits_stays_on_one_line():
    title = "衢州市人民政府办公室关于印发《衢州市河湖长制工作考核办法（试行）》的通知"
    book = "《衢州市河湖长制工作考核办法（试行）》"
    assert text_width(book) <= TITLE_LINE_LIMIT
    lines = break_title(title, keep=("衢州市人民政府办公室",))
    assert_sound(lines, title)
    assert any(book in line for line in lines), lines


def test_a_book_title_too_wide_for_a_line_breaks_between_words():
    title = ("关于印发《嘉兴市中心城区城市更新和老旧小区改造提升三年攻坚行动计划"
             "（2023—2025年）》的通知")
    lines = break_title(title)
    assert_sound(lines, title)
    assert lines == ("关于印发《嘉兴市中心城区城市更新", "和老旧小区改造提升三年攻坚行动计划",
                     "（2023—2025年）》的通知")


def test_a_document_number_stays_whole():
    title = "关于转发《国务院关于加强数字政府建设的指导意见》国发〔2022〕14号的通知"
    lines = break_title(title)
    assert_sound(lines, title)
    assert not cut_inside(lines, title, "〔2022〕14号"), lines


def test_the_genre_is_not_left_alone():
    # 19 characters and 的函: a greedy breaker would leave 函 or 的函 alone on a second line.
    title = "关于商请提供全市重点用能单位能耗在线监测数据的函"
    lines = break_title(title)
    assert_sound(lines, title)
    assert len(lines) == 2 and widths(lines)[-1] >= 3, lines


def test_a_keep_string_that_fits_is_never_broken():
    title = "关于请求解决东风村至西河村通村公路建设资金缺口问题的请示"
    free = break_title(title)
    kept = break_title(title, keep=("东风村至西河村通村公路",))
    assert_sound(kept, title)
    assert not cut_inside(kept, title, "东风村至西河村通村公路"), kept
    assert kept != free or not cut_inside(free, title, "东风村至西河村通村公路")


def test_a_phrase_the_segmenter_cannot_know_is_kept_by_the_caller():
    title = "关于商请协助做好跨省异地就医直接结算有关工作的函"
    assert break_title(title, keep=("跨省异地就医",)) == ("关于商请协助做好跨省异地就医",
                                                         "直接结算有关工作的函")


def test_a_smaller_limit_is_respected():
    title = "关于做好2024年元旦春节期间安全生产和消防安全工作的通知"
    lines = break_title(title, limit=10)
    assert_sound(lines, title, limit=10)
    assert not cut_inside(lines, title, "2024年"), lines


# -- shapes ----------------------------------------------------------------------------------

SHAPED = FORWARDED  # 49 characters: three lines, and each shape has a breaking


def test_a_trapezoid_grows_downwards():
    lines = break_title(SHAPED, shape="trapezoid")
    assert_sound(lines, SHAPED)
    w = widths(lines)
    assert w == sorted(w), lines


def test_an_inverted_trapezoid_shrinks_downwards():
    lines = break_title(SHAPED, shape="inverted")
    assert_sound(lines, SHAPED)
    w = widths(lines)
    assert w == sorted(w, reverse=True), lines


def test_a_diamond_is_longest_inside():
    lines = break_title(SHAPED, shape="diamond")
    assert_sound(lines, SHAPED)
    w = widths(lines)
    assert len(w) == 3 and w[1] > w[0] and w[1] > w[2], lines


def test_shapes_do_not_cost_a_line():
    for shape in ("auto", "trapezoid", "inverted", "diamond"):
        assert len(break_title(SHAPED, shape=shape)) == 3


def test_an_unknown_shape_is_refused():
    with pytest.raises(ValueError) as raised:
        break_title("关于召开全市安全生产工作会议的通知", shape="round")
    assert str(raised.value) == ("shape must be one of auto, trapezoid, inverted, diamond, "
                                 "not 'round'")


# -- what cannot fit -------------------------------------------------------------------------

def test_an_unbreakable_piece_wider_than_a_line_is_named():
    title = "关于公布政务公开网址https://www.example.gov.cn/xxgk/tzgg/index.html的通知"
    with pytest.raises(TitleTooLong) as raised:
        break_title(title)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == ('"https://www.example.gov.cn/xxgk/tzgg/index.html" is 23.5 '
                                 "characters wide and cannot be broken, but a title line holds "
                                 "at most 20")
    assert raised.value.piece == "https://www.example.gov.cn/xxgk/tzgg/index.html"
    assert raised.value.width == 23.5


def test_a_keep_string_wider_than_a_line_is_broken_not_refused():
    lines = break_title(TITLE_2021, keep=(ORGAN_2021,))
    assert text_width(ORGAN_2021) > TITLE_LINE_LIMIT
    assert cut_inside(lines, TITLE_2021, ORGAN_2021)


def test_an_empty_title_has_no_lines():
    assert break_title("  ") == ()


# -- properties ------------------------------------------------------------------------------

PIECES = ["关于", "印发", "转发", "进一步", "加强", "农村", "生活垃圾", "治理", "工作", "的通知",
          "《", "》", "（", "）", "2023年度", "〔2024〕3号", "、", "，", "市人民政府办公室",
          "实施方案", "PM_{2.5}", "和", "的"]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
def test_any_title_of_sound_pieces_breaks_soundly(pieces):
    title = "".join(pieces)
    lines = break_title(title, keep=("市人民政府办公室",))
    assert "".join(lines) == title
    assert all(w <= TITLE_LINE_LIMIT for w in widths(lines))
    for before, after in zip(lines, lines[1:], strict=False):
        assert after[0] not in CLOSING and before[-1] not in OPENING, lines
    for piece in ("2023年度", "〔2024〕3号", "PM_{2.5}", "市人民政府办公室"):
        if piece in title:
            assert not cut_inside(lines, title, piece), (piece, lines)
    assert break_title(title, keep=("市人民政府办公室",)) == lines  # deterministic


def test_the_segmenter_loads_lazily_and_quietly():
    code = ("import sys; import notice.titles as t; assert 'jieba' not in sys.modules; "
            "print('|'.join(t.break_title('关于做好2024年元旦春节期间安全生产和消防安全工作的通知')))")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("|") == 1


def test_words_come_from_the_user_cache_as_jieba_cut_them(tmp_path, monkeypatch):
    from notice import titles

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    titles._WORDS.forget()
    title = "关于开展城乡环境综合治理示范市创建工作的通知"
    lines = break_title(title, 12)
    cached = sorted(tmp_path.glob("notice/words-*.json"))
    assert len(cached) == 1 and title in cached[0].read_text(encoding="utf-8")

    # a new process: the words read back give the same lines, jieba left unloaded
    titles._WORDS.forget()
    monkeypatch.setattr(titles, "_segmenter", lambda: pytest.fail("jieba was loaded"))
    assert break_title(title, 12) == lines

    # a damaged cache is ignored (and jieba cuts again)
    cached[0].write_text('{"' + title + '": [[0, "x"]]}', encoding="utf-8")
    titles._WORDS.forget()
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert break_title(title, 12) == lines
    titles._WORDS.forget()

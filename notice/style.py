"""GB/T 9704-2012 in numbers: every length, size, colour and font role, defined once.

The CSS (templates/notice.css) and the DOCX writer both read this module; clause numbers
refer to the standard.
"""

from __future__ import annotations

PT_PER_MM = 72 / 25.4

# 5.2.1 paper: A4, printed on both sides
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
# 5.2.2 版心 156 × 225 mm; 天头 37 mm, 订口 28 mm
TOP_MM = 37.0
LEFT_MM = 28.0
TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35

# 5.2.3 grid: 22 lines of 28 characters of 3号 (16 pt) type
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_PT = 16.0  # 3号
# 225 mm / 22 = 28.99 pt; a hair less keeps 22 lines whatever the rounding (Word: 579 twips)
LINE_PITCH_PT = 28.95
# 156 mm / 28 = 15.79 pt per character: 3号 type drawn 0.25 pt tighter (measured: 28 a line)
LETTER_SPACING_PT = -0.25
CHAR_PITCH_PT = BODY_PT + LETTER_SPACING_PT

TITLE_PT = 22.0  # 2号 小标宋 (7.3.2)
PAGE_NUMBER_PT = 14.0  # 4号 宋体 (7.5)
END_MATTER_PT = 14.0  # 4号 仿宋 (7.4)
TABLE_PT = 10.0  # the checklist's cells on landscape pages (the standard leaves it open)
TABLE_LINE_PT = 14.0
LETTER_TABLE_PT = 9.0  # 小五: a letter's task list, so that a district's fits a few pages
LETTER_TABLE_LINE_PT = 12.6

# 7.2.3 发文机关标志: red, top 35 mm below the 版心's top, never higher than 22 mm
MASTHEAD_OFFSET_MM = 35.0
MASTHEAD_MAX_PT = 36.0  # 小初
MASTHEAD_MIN_SCALE = 0.65  # narrow the characters down to this before shrinking the size
RED = "#E60000"  # Y80% M80%, as offices print it on screen
RULE_GAP_MM = 4.0  # 7.2.5: the red line 4 mm under the 发文字号
RED_RULE_PT = 1.0  # practice
END_RULE_OUTER_MM = 0.35  # 7.4.1: first and last line of the 版记
END_RULE_INNER_MM = 0.25
PAGE_NUMBER_DROP_MM = 7.0  # 7.5: the dash line's top 7 mm under the 版心
PAGE_NUMBER_DASHES = ("— ", " —")  # 7.5: 「— 1 —」
DOC_NUMBER_LINES_BELOW_MASTHEAD = 2  # 7.2.5: the 发文字号 two lines under the 标志
TITLE_LINES_BELOW_HEAD = 2  # 7.3.1: the title two lines under the red line
PARAGRAPH_INDENT_CHARS = 2  # 7.3.3: each paragraph indented two characters
SIGNATURE_RIGHT_CHARS = 2  # 7.3.5.2: the 署名 ends two characters in from the right
DATE_AFTER_SIGNATURE_CHARS = 2  # 7.3.5.2: the date starts two characters right of the 署名
END_MATTER_INDENT_CHARS = 1  # 7.4.3: 印发机关 and 印发日期 one character in
ATTACHMENT_LEAD_CHARS = 3  # 7.3.4: 「附件：」, after which the names' lines start
ATTACHMENT_NUMBER_CHARS = 2  # the room of 「1.」 … 「10.」 before a name, in a 附件说明 of several
# 7.2.5-7.2.6 上行文: 签发人 one character in from the right, the 发文字号 one in from the left,
# two names a line
SIGNER_EDGE_CHARS = 1
SIGNERS_PER_LINE = 2
SIGNER_LABEL = "签发人："
# 7.2.1-7.2.3 份号, 密级和保密期限, 紧急程度: one a line from the 版心's top
COPY_NUMBER_DIGITS = 6
CLASSIFICATIONS = ("绝密", "机密", "秘密")
URGENCIES = ("特急", "加急")
DIRECTIONS = ("上行文", "平行文", "下行文")
# 7.3.5.1 sealed: the date's right edge 4 characters in from the right; the seal's top within
# one line of the body; seals of a 联合行文 side by side, this far apart (not touching)
SEALED_DATE_RIGHT_CHARS = 4
SEAL_SIZE_MM = 42.0  # a round seal of a government office (the image's own shape is kept)
SEAL_GAP_MM = 4.0
# 7.3.5.3 签名章: 职务 then the stamp, 2 characters in from the right; the date one blank line
# under it, 4 characters in from the right
SIGNATURE_STAMP_HEIGHT_MM = 15.0
# 7.3.6 附注: two characters in, in （）, the line under the date
NOTES_INDENT_CHARS = 2
# 7.4.2 抄送: 「抄送：」 one character in, names wrapped under the first name
COPY_TO_LABEL = "抄送："
SCRIPT_SCALE = 0.6  # _{…} and ^{…}: the sub/superscript's size, of the text's

# 10.1 信函格式 (letters, 函)
LETTER_MASTHEAD_TOP_MM = 30.0  # the 标志's top 30 mm from the paper's top
LETTER_RULE_GAP_MM = 4.0  # the upper double rule 4 mm under the 标志
LETTER_RULE_BOTTOM_MM = 20.0  # the lower double rule 20 mm above the paper's bottom
LETTER_RULE_WIDTH_MM = 170.0  # both rules 170 mm, centred on the paper
LETTER_RULE_THICK_PT = 1.5  # 上粗下细 under the 标志, 上细下粗 at the bottom (practice)
LETTER_RULE_THIN_PT = 0.5
LETTER_RULE_SPACE_PT = 1.0  # between the thick and the thin line
LETTER_NUMBER_DROP = 7 / 8  # 份号 … 发文字号 7/8 of a 3号 character's height under the rule
# 10.1.4 the title 「与其上最后一个要素相距二行」: its line two line pitches under the
# 发文字号's (one blank line between), where the notice's title has two blank lines (空二行)
LETTER_TITLE_LINES_BELOW = 2
# the rules reach past the 版心: 8 mm on the left (订口 28 mm) and 6 mm on the right
LETTER_RULE_LEFT_MM = LEFT_MM - (PAGE_WIDTH_MM - LETTER_RULE_WIDTH_MM) / 2
LETTER_RULE_RIGHT_MM = RIGHT_MM - (PAGE_WIDTH_MM - LETTER_RULE_WIDTH_MM) / 2

# tables (the standard leaves them open): rules, cell padding, sub-indicators' indent
TABLE_RULE_PT = 0.75
CELL_PADDING_PT = (2.0, 1.5)  # top and bottom, left and right
SUB_INDICATOR_INDENT_EM = 1.0

# Landscape table pages: the portrait page turned a quarter, head toward the binding side.
LANDSCAPE_MARGINS_MM = (LEFT_MM, TOP_MM, RIGHT_MM, BOTTOM_MM)  # top, right, bottom, left

# Font roles, each an ordered list of family names: the standard face first, free faces after.
FONT_ROLES: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "FandolSong:bold", "Noto Serif CJK SC:bold"),
    "body": ("仿宋_GB2312", "仿宋", "FandolFang", "Noto Serif CJK SC"),
    "heading": ("黑体", "FandolHei", "Noto Sans CJK SC"),
    "kai": ("楷体_GB2312", "楷体", "FandolKai", "AR PL UKai CN", "LXGW WenKai"),
    "page_number": ("宋体", "FandolSong", "Noto Serif CJK SC"),
}
# The names Word and WPS know, written into the DOCX (w:eastAsia)
STANDARD_FACE = {role: faces[0] for role, faces in FONT_ROLES.items()}

# DOCX: how Word, WPS and LibreOffice lay lines out, measured with LibreOffice 7.4 here.
# A character grid (w:docGrid linesAndChars) narrower than 16 pt makes LibreOffice give each
# 3号 character two cells (14 a line), so body paragraphs do not snap to it; LibreOffice still
# narrows the text area to 28 whole cells (440.5 pt), so 28 characters need −0.3 pt each
# (−0.25 pt gives 27 there). Word and WPS lay the same 28 a line.
DOCX_CHAR_SPACING_TWIPS = -6
# 信函格式: LibreOffice 7.4 starts the first page's body this far under the bottom of the
# header's double rule (measured); the 发文字号's spacing takes it off. In a document with a
# footnote (a letter's 抄送) it starts the body right under the rule (measured)
DOCX_BODY_UNDER_HEADER_PT = 2.9
# The DOCX's landscape (table) pages let their text reach this far under the 版心: a table
# breaks its pages where the PDF's did (notice/docx/blocks.py), and a row that LibreOffice
# sets a line or two taller than the PDF (it spaces digits apart from Chinese whatever
# w:autoSpaceDE says) then still ends its page instead of moving to a page of its own
DOCX_TABLE_PAGE_SLACK_MM = 10.0
# and a portrait section that the PDF laid on one page (a letter's first page: its only break
# is the section's end) may run this many lines under the 版心, for the same reason
DOCX_ONE_PAGE_SLACK_LINES = 1
# A portrait section after a landscape one names an empty header (to stop the turned page
# numbers); LibreOffice 7.4 starts the body of a page an evenPage break opens about 4 mm
# under the header's top edge, not at the top margin (measured: the 名单's title at 23.6 mm,
# in the 天头). The empty header is set this far above the 版心, so the body starts there in
# LibreOffice as in Word and WPS (which start it at the top margin either way)
DOCX_EMPTY_HEADER_ABOVE_TEXT_MM = 4.0
EXACT_LINE_BASELINE = 0.8  # an exact-height line has its baseline 4/5 of the way down
CJK_EM_ASCENT = 0.88  # the ideographic em box: 0.88 em above the baseline, 0.12 below


def masthead_size(chars: int) -> tuple[float, float]:
    """(font size in pt, horizontal scale) that fit the 标志 on one 156 mm line."""
    width_pt = TEXT_WIDTH_MM * PT_PER_MM
    size = min(MASTHEAD_MAX_PT, width_pt / (chars * MASTHEAD_MIN_SCALE))
    scale = min(1.0, width_pt / (chars * size))
    return round(size, 2), round(scale, 4)

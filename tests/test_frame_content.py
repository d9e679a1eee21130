"""Bad values of the frame elements (份号, 密级, 紧急程度, 签发人, 印章, 签名章, title) are located
content problems: exact messages, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from framekit import draw_seal
from helpers import ContentCopy, locate, run
from PIL import Image


def refused(content: ContentCopy, *lines: str) -> None:
    before = content.snapshot()
    result = run("validate", "--content", "2023")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    noun = "problem" if len(lines) == 1 else "problems"
    assert result.stderr.splitlines() == [
        *lines, f"{len(lines)} {noun} in the content; nothing was written."]
    assert content.snapshot() == before
    assert not Path("output").exists()


def add(content: ContentCopy, text: str) -> str:
    """Append keys to notice.yaml; return the file's new text."""
    path = content.path("notice.yaml")
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return content.text("notice.yaml")


def at(text: str, needle: str) -> str:
    spot = locate(text, needle)
    return f"2023/notice.yaml:{spot.line}:{spot.column}"


def accepted(content: ContentCopy) -> None:
    result = run("validate", "--content", "2023")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value, what", [
    ('"00012"', '"00012" must be 6 digits, such as "000123" (GB/T 9704 7.2.1)'),
    ('"0001234"', '"0001234" must be 6 digits, such as "000123" (GB/T 9704 7.2.1)'),
    ("12345A", '"12345A" must be 6 digits, such as "000123" (GB/T 9704 7.2.1)'),
])
def test_copy_number_of_six_digits(small, value, what):
    text = add(small, f"copy_number: {value}\n")
    refused(small, f"{at(text, value)}: copy_number: {what}")


def test_copy_number_unquoted_keeps_its_zeros(small):
    add(small, "copy_number: 000123\nclassification: 秘密\n")
    accepted(small)


def test_unknown_classification(small):
    text = add(small, 'copy_number: "000123"\nclassification: 内部\n')
    refused(small, f"{at(text, '内部')}: classification: \"内部\" is not a 密级: write 绝密, "
                   "机密 or 秘密, with the period after ★ if there is one (机密★1年)")


def test_classified_without_copy_number(small):
    text = add(small, "classification: 机密★1年\n")
    refused(small, f"{at(text, '机密★1年')}: classification: a classified document needs "
                   "its 份号: add copy_number (GB/T 9704 7.2.1)")


def test_unknown_urgency(small):
    text = add(small, "urgency: 紧急\n")
    refused(small, f'{at(text, "紧急")}: urgency: "紧急" must be one of 特急 or 加急')


def test_signers_on_a_downward_document(small):
    text = add(small, "signers: [张三]\n")
    refused(small, f"{at(text, '[张三]')}: signers: 签发人 are printed only on a 上行文 "
                   "(GB/T 9704 7.2.6); this document is a 下行文: set direction: 上行文 or "
                   "remove signers")


def test_upward_document_without_signers(small):
    text = add(small, "direction: 上行文\n")
    refused(small, f"{at(text, '上行文')}: direction: a 上行文 carries its 签发人 (GB/T 9704 "
                   "7.2.6): add signers: [name, …]")


def test_seal_missing(small):
    text = add(small, "seal: assets/seal.png\n")
    refused(small, f'{at(text, "assets/seal.png")}: seal: "assets/seal.png" is not in the '
                   "content folder; put the image there (a PNG with a transparent background)")


def test_seal_jpeg_without_transparency(small):
    (small.folder / "assets").mkdir()
    Image.new("RGB", (100, 100), "red").save(small.folder / "assets" / "seal.jpg")
    text = add(small, "seal: assets/seal.jpg\n")
    refused(small, f'{at(text, "assets/seal.jpg")}: seal: "assets/seal.jpg" is a JPEG image, '
                   "which has no transparent background; give a PNG with a transparent "
                   "background")


def test_seal_png_without_transparent_pixels(small):
    (small.folder / "assets").mkdir()
    Image.new("RGBA", (100, 100), (255, 255, 255, 255)).save(small.folder / "assets" / "s.png")
    text = add(small, "seal: assets/s.png\n")
    refused(small, f'{at(text, "assets/s.png")}: seal: "assets/s.png" has no transparent '
                   "pixel: its background would hide the text under it; give a PNG with a "
                   "transparent background")


def test_seal_that_is_not_an_image(small):
    (small.folder / "assets").mkdir()
    (small.folder / "assets" / "seal.png").write_text("not a picture", encoding="utf-8")
    text = add(small, "seal: assets/seal.png\n")
    refused(small, f'{at(text, "assets/seal.png")}: seal: "assets/seal.png" cannot be read as '
                   "an image (cannot identify image file); give a PNG with a transparent "
                   "background")


def test_seal_outside_the_assets_folder(small):
    draw_seal(small.folder / "seal.png")
    text = add(small, "seal: seal.png\n")
    refused(small, f'{at(text, "seal.png")}: seal: "seal.png" must be a file in the content '
                   "folder's assets/ folder, written as assets/NAME.png")


def test_seal_svg_is_refused(small):
    (small.folder / "assets").mkdir()
    (small.folder / "assets" / "seal.svg").write_text("<svg/>", encoding="utf-8")
    text = add(small, "seal: assets/seal.svg\n")
    refused(small, f'{at(text, "assets/seal.svg")}: seal: "assets/seal.svg" is an SVG image, '
                   "which the DOCX cannot carry; export it as a PNG with a transparent "
                   "background")


def test_one_seal_per_signature(small):
    draw_seal(small.folder / "assets" / "seal.png")
    small.edit("notice.yaml", "signature: 青溪县全面推行河长制工作领导小组办公室",
               "signature: [青溪县水利局, 青溪县生态环境局]")
    text = add(small, "seal: assets/seal.png\n")
    refused(small, f"{at(text, 'assets/seal.png')}: seal: 2 署名 need 2 seals, one each (in "
                   "the order of signature); 1 given")


def test_seal_and_signature_stamp_together(small):
    draw_seal(small.folder / "assets" / "seal.png")
    text = add(small, "seal: assets/seal.png\nsigned_by: {title: 主任, image: assets/seal.png}\n")
    refused(small, f"{at(text, '{title')}: signed_by: a document is either sealed (seal) or "
                   "signed with a 签名章 (signed_by), not both: remove one")


def test_title_with_an_unbreakable_piece_wider_than_a_line(small):
    small.edit("notice.yaml", "title:\n  - 青溪县河长制办公室关于印发\n"
                              "  - 《2023年度河湖管护工作要点》的通知\n",
               "title: 关于ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQ的通知\n")
    text = small.text("notice.yaml")
    refused(small, f'{at(text, "关于ABC")}: title: "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQ" '
                   "is 21.5 characters wide and may not be broken, but a title line holds at "
                   "most 20: give the title as a list of lines")


def test_title_keep_needs_a_one_string_title(small):
    text = add(small, "title_keep: [河湖管护]\n")
    refused(small, f"{at(text, '[河湖管护]')}: title_keep: applies to a title given as one "
                   "string, which the tool breaks; this title is given line by line")


def test_misspelt_frame_key_gets_a_suggestion(small):
    text = add(small, "copyto: [县委办公室]\n")
    refused(small, f'{at(text, "copyto")}: notice: unknown key "copyto" (did you mean '
                   '"copy_to"?)')

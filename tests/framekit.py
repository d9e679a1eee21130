"""Small content folders of other offices for the frame elements (GB/T 9704 7.2-7.4): a
联合行文 上行文, a sealed notice, one signed with a 签名章, one whose title is one string. The
seal and signature images are drawn here with Pillow (a red ring and text), never real ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import SMALL
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SEAL_PX = 496  # 42 mm at 300 dpi


def draw_seal(path: Path, text: str = "测试印章", size: int = SEAL_PX) -> Path:
    """A red ring with a star and text on a transparent background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (230, 0, 0, 255)
    width = size // 25
    draw.ellipse((width, width, size - width, size - width), outline=red, width=width)
    c = size / 2
    draw.regular_polygon((c, c, size / 8), 5, fill=red)
    try:
        font = ImageFont.truetype(FONT, size // 8)
        draw.text((c, c + size / 4), text, font=font, fill=red, anchor="mm")
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def draw_signature(path: Path) -> Path:
    """A 签名章: a red rectangle with a scrawl, 3:1, transparent outside."""
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 0, 0, 255)
    draw.rectangle((4, 4, 355, 115), outline=red, width=6)
    draw.line([(30, 80), (90, 30), (150, 90), (210, 35), (270, 85), (330, 40)], fill=red,
              width=8)
    image.save(path)
    return path


BASE = {
    "issuer": "青溪县全面推行河长制工作领导小组办公室",
    "doc_number": {"prefix": "青河长办发", "year": 2023, "number": 7},
    "addressees": ["县级相关部门"],
    "body": ["为压实河湖管护责任，持续改善全县河湖面貌，现将《2023年度河湖管护工作要点》"
             "印发给你们，请结合职责抓好落实，并于每季度末报送工作进展。",
             "各单位要把河湖管护摆在突出位置，主要负责同志亲自研究部署，分管负责同志具体"
             "抓好落实，明确专人负责日常巡查和问题整改，建立问题清单、任务清单和责任清单，"
             "做到发现一处、整改一处、销号一处。"],
    "closing": "请遵照执行。",
    "date": "2023-03-06",
    "disclosure": "依申请公开",
    "printed_by": "青溪县河长制办公室",
    "printed_on": "2023-03-07",
}


def folder(root: Path, name: str, notice: str) -> Path:
    """A copy of the small year with notice.yaml replaced by `notice` (YAML text)."""
    target = root / name / "2023"
    shutil.copytree(SMALL, target)
    (target / "notice.yaml").write_text(notice, encoding="utf-8")
    return target


def _base(**skip) -> str:
    import yaml

    return yaml.safe_dump({k: v for k, v in BASE.items() if k not in skip},
                          allow_unicode=True, sort_keys=False)


def joint_request(root: Path) -> Path:
    """请示 of two organs: 份号, 密级, 紧急程度, two 签发人, joint 标志 and 署名, two seals."""
    f = folder(root, "joint", _base() + """\
masthead:
  organs: [青溪县水利局, 青溪县生态环境局]
  word: 文件
title:
  - 青溪县水利局　青溪县生态环境局
  - 关于申请河湖管护专项资金的请示
copy_number: "000123"
classification: 机密★1年
urgency: 特急
direction: 上行文
signers: [张三, 李四]
signature: [青溪县水利局, 青溪县生态环境局]
seal: [assets/seal-1.png, assets/seal-2.png]
""")
    draw_seal(f / "assets" / "seal-1.png", "水利局")
    draw_seal(f / "assets" / "seal-2.png", "生态环境局")
    return f


def sealed(root: Path) -> Path:
    """A sealed notice with 抄送 and 附注."""
    f = folder(root, "sealed", _base() + """\
masthead: 青溪县河长制办公室文件
title:
  - 青溪县河长制办公室关于印发
  - 《2023年度河湖管护工作要点》的通知
signature: 青溪县河长制办公室
seal: assets/seal.png
notes: 此件公开发布
copy_to: [县委办公室, 县人大常委会办公室, 县政府办公室, 县政协办公室, 县纪委监委]
""")
    draw_seal(f / "assets" / "seal.png")
    return f


def signed(root: Path) -> Path:
    """A notice signed with a leader's 签名章."""
    f = folder(root, "signed", _base() + """\
masthead: 青溪县河长制办公室文件
title:
  - 青溪县河长制办公室关于印发
  - 《2023年度河湖管护工作要点》的通知
signature: 青溪县河长制办公室
signed_by: {title: 主任, image: assets/signature.png}
""")
    (f / "assets").mkdir()
    draw_signature(f / "assets" / "signature.png")
    return f


def one_string_title(root: Path) -> Path:
    """A notice whose title is one string, for the tool to break."""
    return folder(root, "title", _base() + """\
masthead: 青溪县河长制办公室文件
title: >-
  青溪县全面推行河长制工作领导小组办公室关于印发《青溪县2023年度河湖管护和水生态修复工作要点》的通知
title_shape: 梯形
signature: 青溪县河长制办公室
""")

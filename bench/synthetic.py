"""Synthetic content for the scale benchmark: many units and indicators, made up, not committed."""

from __future__ import annotations

import copy
import random
import shutil
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parent.parent / "content" / "2021"


def make_content(target: Path, units: int, indicators: int, per_indicator: int,
                 seed: int = 2021) -> Path:
    """A content folder like 2021's with `units` departments and `indicators` indicators,
    each naming `per_indicator` units, main tasks borrowed from the real checklist."""
    rng = random.Random(seed)
    folder = target / "2021"
    shutil.copytree(SOURCE, folder)
    real = yaml.safe_load((SOURCE / "checklist.yaml").read_text(encoding="utf-8"))
    samples = [i for d in real["domains"] for t in d["tasks"] for i in t["indicators"]]
    names = [f"市第{n}局" for n in range(1, units + 1)]
    unit_data = yaml.safe_load((SOURCE / "units.yaml").read_text(encoding="utf-8"))
    unit_data.update(recipients=names)
    unit_data.pop("other_units", None)
    unit_data.pop("collectives", None)
    numerals = "一二三四五六七八九"
    domains, number = [], 11
    per_task = max(1, indicators // 9)
    for t in range(9):
        count = per_task if t < 8 else indicators - per_task * 8
        items = []
        for _ in range(count):
            sample = copy.deepcopy(rng.choice(samples))
            chosen = rng.sample(names, per_indicator)
            sample.update(number=number, lead_units=chosen[:1], responsible_units=chosen[1:])
            items.append(sample)
            number += 1
        domains.append(dict(name=f"领域{numerals[t]}", tasks=[
            dict(ordinal=numerals[t], name=f"任务{numerals[t]}", indicators=items)]))
    dump = dict(allow_unicode=True, sort_keys=False, width=4096)
    (folder / "checklist.yaml").write_text(
        yaml.safe_dump(dict(title=real["title"], domains=domains), **dump), encoding="utf-8")
    (folder / "units.yaml").write_text(yaml.safe_dump(unit_data, **dump), encoding="utf-8")
    return folder

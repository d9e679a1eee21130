"""Build benchmark: prints figures (medians of several runs) and ratios; asserts nothing.

    python3 bench/bench_build.py [--runs 3] [--scale-letters 100]

1. full cold build of the 2021 set vs LibreOffice headless converting the same DOCX to PDF;
2. rebuild after one edit (one indicator's main tasks) vs the full build;
3. synthetic content with 1,000 units and 500 indicators: cost per letter, peak memory,
   --jobs 2 against --jobs 1;
4. where the time of one sequential build goes, stage by stage.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pikepdf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

CONTENT = REPO / "content" / "2021"
EDITED_INDICATOR = 35  # 政府绿色采购比例: named by the fewest units


def run(cmd: list[str], **kwargs) -> float:
    """Seconds a command takes; it must succeed."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def build_cmd(content: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", "--content", str(content),
            "--out", str(out), *extra]


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_full(tmp: Path, runs: int) -> tuple[float, float, list[float], list[float]]:
    """Cold builds (fresh OUT, no cache, new process) and LibreOffice converting the DOCX."""
    ours = []
    for n in range(runs):
        ours.append(run(build_cmd(CONTENT, tmp / f"full{n}")))
    docx = sorted((tmp / "full0" / "2021").rglob("*.docx"))
    profile = tmp / "lo-profile"
    convert = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
               "--convert-to", "pdf"]
    run(convert + ["--outdir", str(tmp / "lo-warm"), str(docx[0])])  # profile made once
    theirs = []
    for n in range(runs):
        theirs.append(run(convert + ["--outdir", str(tmp / f"lo{n}")] + [str(d) for d in docx]))
    return median(ours), median(theirs), ours, theirs


def bench_edit(tmp: Path, runs: int, full: float) -> None:
    from notice.build import build

    times, rendered = [], []
    for n in range(runs):
        content = tmp / f"edit{n}" / "2021"
        shutil.copytree(CONTENT, content)
        out = tmp / f"edit{n}-out"
        build(content, out)
        checklist = content / "checklist.yaml"
        text = checklist.read_text(encoding="utf-8")
        sentence = "着力提升政府绿色产品采购比重。"
        text = text.replace(sentence, sentence[:-1] + f"（修改{n}）。")
        checklist.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        result = run_build_subprocess(content, out)
        times.append(time.perf_counter() - start)
        rendered = result
    print(f"  edited indicator {EDITED_INDICATOR}'s main tasks; laid out again: "
          f"{', '.join(rendered)}")
    print(f"  rebuild after one edit: median {median(times):.2f} s of {runs} "
          f"({', '.join(f'{t:.2f}' for t in times)})")
    print(f"  ratio to the full cold build: {median(times) / full:.2f} (target <= 0.25)")


def run_build_subprocess(content: Path, out: Path) -> list[str]:
    """Build in a new process (as a clerk does); the documents it laid out again."""
    code = ("import sys; from notice.build import build; "
            "r = build(__import__('pathlib').Path(sys.argv[1]), __import__('pathlib').Path("
            "sys.argv[2])); print('\\n'.join(r.rendered))")
    done = subprocess.run([sys.executable, "-c", code, str(content), str(out)], check=True,
                          capture_output=True, text=True, cwd=REPO)
    return done.stdout.split()


# runs a command and prints the largest resident size of its processes, in kB
PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
            "stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def letters_run(content: Path, out: Path, units: list[str], jobs: int) -> tuple[float, int, int]:
    """Seconds, peak resident kB and pages of a build of just these units' letters."""
    unit_args = [arg for name in units for arg in ("--unit", name)]
    cmd = [sys.executable, "-c", PEAK_RSS] + build_cmd(content, out, "--jobs", str(jobs),
                                                         "--no-cache", *unit_args)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    pages = 0
    for pdf in (out / "2021" / "sheets").glob("*.pdf"):
        with pikepdf.open(pdf) as document:
            pages += len(document.pages)
    return elapsed, peak_kb, pages


def bench_scale(tmp: Path, letters: int) -> None:
    from synthetic import make_content

    from notice.content import load_content

    real_units = list(load_content(CONTENT).assignments_by_unit())
    base, _, base_pages = letters_run(CONTENT, tmp / "base", [u.name for u in real_units], 1)
    per_letter, per_page = base / len(real_units), base / base_pages
    print(f"  2021, the same way (--jobs 1, {len(real_units)} letters, {base_pages} pages): "
          f"{base:.1f} s = {per_letter:.3f} s a letter, {per_page * 1000:.0f} ms a page")

    folder = make_content(tmp / "scale", units=1000, indicators=500, per_indicator=24)
    units = [f"市第{n}局" for n in range(1, 1001)][:: 1000 // letters][:letters]
    results = {jobs: letters_run(folder, tmp / f"scale-{jobs}", units, jobs) for jobs in (1, 2)}
    one, peak_one, pages = results[1]
    two, peak_two, _ = results[2]
    print(f"  synthetic: 1,000 units, 500 indicators naming 24 units each (12 a unit, as in 2021);"
          f" {letters} letters built (every {1000 // letters}th unit), {pages} pages")
    print(f"  --jobs 1: {one:.1f} s = {one / letters:.3f} s a letter "
          f"(ratio to 2021: {(one / letters) / per_letter:.2f}, target <= 1.2), "
          f"{one / pages * 1000:.0f} ms a page (ratio {(one / pages) / per_page:.2f})")
    print(f"  --jobs 2: {two:.1f} s; speed-up {one / two:.2f}x (target >= 1.6)")
    print(f"  peak memory (largest single process, getrusage): "
          f"jobs 1 {peak_one / 1024:.0f} MB, jobs 2 {peak_two / 1024:.0f} MB (target < 500 MB)")


def bench_stages() -> dict[str, float]:
    """One sequential build in this process, timed stage by stage."""
    from weasyprint.pdf import fonts as pdf_fonts

    from notice.content import load_content
    from notice.docx import render_docx
    from notice.fonts import check_coverage, resolve_fonts
    from notice.pdf import lay_out, write_pdf
    from notice.render import (
        notice_context,
        render_css,
        render_sheet_html,
        render_template,
        sheet_context,
    )
    from notice.sheets import load_sheet_text, make_sheets

    spent: dict[str, float] = defaultdict(float)
    subset = pdf_fonts.Font.subset

    def timed_subset(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return subset(self, *args, **kwargs)
        finally:
            spent["font subsetting"] += time.perf_counter() - start

    pdf_fonts.Font.subset = timed_subset
    start = time.perf_counter()
    content = load_content(CONTENT)
    text, spots = load_sheet_text(CONTENT)
    sheets = make_sheets(content, text)
    fonts = resolve_fonts()
    check_coverage(fonts, content.spots + spots)
    spent["load and check"] = time.perf_counter() - start

    start = time.perf_counter()
    contexts = {"notice": notice_context(content, fonts), "sheet": sheet_context(content, fonts)}
    styles = {k: render_css(c) for k, c in contexts.items()}
    docs = [("notice", render_template("notice.html.j2", **contexts["notice"]))]
    docs += [("sheet", render_sheet_html(contexts["sheet"], s)) for s in sheets]
    spent["templates"] = time.perf_counter() - start

    for kind, html in docs:
        start = time.perf_counter()
        document, laid_out = lay_out(html, styles[kind], fonts)
        spent["layout"] += time.perf_counter() - start
        start = time.perf_counter()
        before = spent["font subsetting"]
        write_pdf(document)
        spent["PDF write"] += time.perf_counter() - start - (spent["font subsetting"] - before)
        start = time.perf_counter()
        render_docx(laid_out, contexts[kind])
        spent["DOCX write"] += time.perf_counter() - start
    pdf_fonts.Font.subset = subset
    return dict(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale-letters", type=int, default=100)
    parser.add_argument("--only-scale", action="store_true", help="run part 3 alone")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        if args.only_scale:
            print("\n3. scale")
            bench_scale(tmp, args.scale_letters)
            return
        print("\n1. full cold build of 2021 (notice + 23 letters, PDF + DOCX, XLSX)")
        full, lo, ours, theirs = bench_full(tmp, args.runs)
        print(f"  ours: median {full:.2f} s of {args.runs} ({', '.join(f'{t:.2f}' for t in ours)})")
        print(f"  LibreOffice headless, same 24 DOCX to PDF: median {lo:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in theirs)})")
        print(f"  ratio ours / LibreOffice: {full / lo:.2f} (target <= 0.3)")

        print("\n2. rebuild after one edit")
        bench_edit(tmp, args.runs, full)

        print("\n4. stages of one sequential build (seconds)")
        stages = bench_stages()
        total = sum(stages.values())
        for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"  {stage:16s} {seconds:6.2f}  {seconds / total:5.1%}")

        print("\n3. scale")
        bench_scale(tmp, args.scale_letters)


if __name__ == "__main__":
    main()

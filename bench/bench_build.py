"""Build benchmark: prints figures (medians of interleaved runs) and ratios; asserts nothing.

    python3 bench/bench_build.py [--runs 5] [--against /path/to/older/checkout]
                                 [--scale-letters 100] [--skip-scale]

1. full cold build of the 2021 set, LibreOffice headless converting the same 24 DOCX to PDF,
   and (with --against) the same cold build by another checkout of the tool: one run of each
   in turn, `--runs` times, so a busy machine slows them alike; medians and ratios;
2. rebuild after one edit (one indicator's main tasks) and with nothing changed, against the
   full build (interleaved with it in the same loop);
3. synthetic content with 1,000 units and 500 indicators: cost per page, peak memory,
   --jobs 2 against --jobs 1;
4. where the time of one sequential build goes, stage by stage;
5. the floor: WeasyPrint alone laying each document out once (its final HTML), against
   LibreOffice: what no work on the tool's side of WeasyPrint can go below.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import signal
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
EDITED_INDICATOR = 35  # named by the fewest units
EDITED_SENTENCE = "着力提升政府绿色产品采购比重。"  # in its main tasks


CPU: list[float] = []  # the CPU seconds (user + system, its processes) of each run()


def run(cmd: list[str], cwd: Path | None = None) -> float:
    """Seconds a command takes (CPU seconds appended to CPU); it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed


def build_cmd(content: Path, out: Path, *extra: str, repo: Path = REPO) -> list[str]:
    return [sys.executable, str(repo / "build.py"), "build", "--content", str(content),
            "--out", str(out), *extra]


def median(values: list[float]) -> float:
    return statistics.median(values)


def figures(values: list[float]) -> str:
    each = ", ".join(f"{v:.2f}" for v in values)
    return f"median {median(values):.2f} s of {len(values)} ({each})"


def bench_builds(tmp: Path, runs: int, against: Path | None) -> dict[str, list[float]]:
    """Every timed build of parts 1 and 2, one of each kind a round."""
    # the DOCX LibreOffice converts, and a warm LibreOffice profile of our own
    subprocess.run(build_cmd(CONTENT, tmp / "docx"), check=True, stdout=subprocess.DEVNULL)
    docx = sorted((tmp / "docx" / "2021").rglob("*.docx"))
    profile = tmp / "lo-profile"
    convert = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
               "--convert-to", "pdf"]
    run(convert + ["--outdir", str(tmp / "lo-warm"), str(docx[0])])
    times: dict[str, list[float]] = defaultdict(list)
    watcher = Watch(tmp / "watched", tmp / "watched-out")
    try:
        for n in range(runs):
            times["ours"].append(run(build_cmd(CONTENT, tmp / f"full{n}")))
            times["ours CPU"].append(CPU[-1])
            times["libreoffice"].append(
                run(convert + ["--outdir", str(tmp / f"lo{n}")] + [str(d) for d in docx]))
            times["libreoffice CPU"].append(CPU[-1])
            if against:
                times["against"].append(run(build_cmd(CONTENT, tmp / f"old{n}", repo=against),
                                            cwd=against))
                times["against CPU"].append(CPU[-1])
            times["unchanged"].append(run(build_cmd(CONTENT, tmp / f"full{n}")))
            content = tmp / f"edit{n}" / "2021"
            shutil.copytree(CONTENT, content)
            out = tmp / f"edit{n}-out"
            subprocess.run(build_cmd(content, out), check=True, stdout=subprocess.DEVNULL)
            edit(content, n)
            times["edit"].append(run(build_cmd(content, out)))
            times["edit CPU"].append(CPU[-1])
            times["watch"].append(watcher.save_and_wait(n))
            for done in (f"full{n}", f"lo{n}", f"old{n}", f"edit{n}", f"edit{n}-out"):
                shutil.rmtree(tmp / done, ignore_errors=True)
    finally:
        watcher.stop()
    return times


def edit(content: Path, n: int) -> None:
    """Indicator 35's main tasks changed (from 2021's own text: a different change each
    round), as a clerk would change them."""
    checklist = content / "checklist.yaml"
    text = (CONTENT / "checklist.yaml").read_text(encoding="utf-8")
    assert EDITED_SENTENCE in text, "the edited sentence is no longer in the checklist"
    checklist.write_text(text.replace(EDITED_SENTENCE, EDITED_SENTENCE[:-1] + f"（修改{n}）。"),
                         encoding="utf-8")


class Watch:
    """`build.py watch` on a copy of 2021: the time from a save to the set written again."""

    def __init__(self, root: Path, out: Path):
        self.content = root / "2021"
        shutil.copytree(CONTENT, self.content)
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "watch", "--content", str(self.content),
             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            # a shell starting the bench in the background ignores Ctrl-C for it, and the
            # watch would inherit that: stop() could not end it
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self._until_built()

    def _until_built(self) -> None:
        for line in self.process.stdout:
            if " built in " in line:
                return
        raise RuntimeError("build.py watch ended")

    def save_and_wait(self, n: int) -> float:
        start = time.perf_counter()
        edit(self.content, n)
        self._until_built()
        return time.perf_counter() - start

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def report_builds(times: dict[str, list[float]], against: Path | None) -> None:
    full, lo = median(times["ours"]), median(times["libreoffice"])
    print(f"  ours, cold (new process, empty cache): {figures(times['ours'])}")
    print(f"  LibreOffice headless, the same 24 DOCX to PDF: {figures(times['libreoffice'])}")
    print(f"  ratio ours / LibreOffice: {full / lo:.2f} (target <= 1.0)")
    cpu, lo_cpu = median(times["ours CPU"]), median(times["libreoffice CPU"])
    print(f"  CPU seconds: ours {figures(times['ours CPU'])}; LibreOffice "
          f"{figures(times['libreoffice CPU'])}; ratio {cpu / lo_cpu:.2f}")
    if against:
        old = median(times["against"])
        print(f"  {against}, cold: {figures(times['against'])}")
        print(f"  ratio ours / {against.name}: {full / old:.2f}; CPU "
              f"{figures(times['against CPU'])}, ratio {cpu / median(times['against CPU']):.2f}")
    print("\n2. rebuilds (same rounds)")
    print(f"  after one edit (indicator {EDITED_INDICATOR}'s main tasks): {figures(times['edit'])}")
    print(f"  ratio to the full cold build: {median(times['edit']) / full:.3f} (target <= 0.25);"
          f" CPU {median(times['edit CPU']):.2f} s, ratio "
          f"{median(times['edit CPU']) / median(times['ours CPU']):.2f}")
    print(f"  the same edit saved while `build.py watch` runs, save to written: "
          f"{figures(times['watch'])}")
    print(f"  ratio to the full cold build: {median(times['watch']) / full:.3f} (target <= 0.15)")
    print(f"  with nothing changed: {figures(times['unchanged'])}")
    print(f"  ratio to the full cold build: {median(times['unchanged']) / full:.3f} "
          "(target <= 0.10)")


# runs a command and prints the largest resident size of its processes, in kB
PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
# the build's own summary of pages kept (it prints none where none were)
KEPT = re.compile(r"(\d+) of their (\d+) pages were kept")


def letters_run(content: Path, out: Path, units: list[str],
                jobs: int) -> tuple[float, int, int, int]:
    """Seconds, peak resident kB, pages and pages kept from another letter (sharing its
    attachment) of a build of just these units' letters."""
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
    kept = KEPT.search(done.stdout)
    return elapsed, peak_kb, pages, int(kept.group(1)) if kept else 0


def bench_scale(tmp: Path, letters: int) -> None:
    from synthetic import make_content

    from notice.content import load_content

    real_units = list(load_content(CONTENT).assignments_by_unit())
    base, _, base_pages, base_kept = letters_run(CONTENT, tmp / "base",
                                                 [u.name for u in real_units], 1)
    per_page = base / base_pages
    laid_out = base / (base_pages - base_kept)
    print(f"  2021, the same way (--jobs 1, {len(real_units)} letters, {base_pages} pages): "
          f"{base:.1f} s, {per_page * 1000:.0f} ms a page; {base_kept} of the pages are "
          f"shared, not laid out: {laid_out * 1000:.0f} ms a page laid out")

    folder = make_content(tmp / "scale", units=1000, indicators=500, per_indicator=24)
    units = [f"市第{n}局" for n in range(1, 1001)][:: 1000 // letters][:letters]
    results = {jobs: letters_run(folder, tmp / f"scale-{jobs}", units, jobs) for jobs in (1, 2)}
    one, peak_one, pages, kept = results[1]
    two, peak_two, _, _ = results[2]
    print(f"  synthetic: 1,000 units, 500 indicators naming 24 units each;"
          f" {letters} letters built (every {1000 // letters}th unit), {pages} pages")
    print(f"  --jobs 1: {one:.1f} s, {one / pages * 1000:.0f} ms a page "
          f"(ratio to 2021: {(one / pages) / per_page:.2f}, target <= 1.0); {kept} pages "
          f"shared; a page laid out: {(one / (pages - kept)) / laid_out:.2f} of 2021's")
    print(f"  --jobs 2: {two:.1f} s; speed-up {one / two:.2f}x (target >= 1.6)")
    print(f"  peak memory (largest single process, getrusage): "
          f"jobs 1 {peak_one / 1024:.0f} MB, jobs 2 {peak_two / 1024:.0f} MB (target < 500 MB)")


def bench_stages() -> dict[str, float]:
    """One sequential build in this process, timed stage by stage (a new process each
    stage would count start-up again: it is timed on its own)."""
    spent: dict[str, float] = defaultdict(float)
    code = "import notice.build, notice.cli, weasyprint, docx, openpyxl"
    spent["start-up (imports)"] = run([sys.executable, "-c", code], cwd=REPO)

    from weasyprint.pdf import fonts as pdf_fonts

    from notice import pdf as notice_pdf
    from notice.checks import load_and_check
    from notice.docx import render_docx
    from notice.matrix import render_matrix
    from notice.render import (
        notice_context,
        render_css,
        render_sheet_html,
        render_template,
        sheet_context,
    )

    subset = pdf_fonts.Font.subset

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper

    pdf_fonts.Font.subset = timed("font subsetting", subset)
    try:
        start = time.perf_counter()
        content, _text, sheets, fonts = load_and_check(CONTENT)
        spent["load and check"] = time.perf_counter() - start

        start = time.perf_counter()
        contexts = {"notice": notice_context(content, fonts),
                    "sheet": sheet_context(content, fonts)}
        styles = {k: render_css(c) for k, c in contexts.items()}
        docs = [("notice", render_template("notice.html.j2", **contexts["notice"]))]
        docs += [("sheet", render_sheet_html(contexts["sheet"], s)) for s in sheets]
        spent["templates"] = time.perf_counter() - start

        for kind, html in docs:
            start = time.perf_counter()
            document, laid_out = notice_pdf.lay_out(html, styles[kind], fonts)
            spent["layout (with split rows)"] += time.perf_counter() - start
            FINAL.append((document.split_html, styles[kind], fonts))
            start = time.perf_counter()
            before = spent["font subsetting"]
            notice_pdf.write_pdf(document)
            spent["PDF write"] += time.perf_counter() - start - (spent["font subsetting"] - before)
            start = time.perf_counter()
            render_docx(laid_out, contexts[kind])
            spent["DOCX write"] += time.perf_counter() - start
        start = time.perf_counter()
        render_matrix(content)
        spent["XLSX write"] = time.perf_counter() - start
    finally:
        pdf_fonts.Font.subset = subset
    return dict(spent)


FINAL: list[tuple] = []  # each document's HTML as bench_stages' layout left it (rows cut)


def bench_floor() -> tuple[float, int]:
    """CPU seconds and pages of WeasyPrint alone laying out each document's final HTML (its
    rows already cut where its pages end) once, parsed and styled as the build does
    (paginate.parsed), and writing its PDF: what any layout of the set with WeasyPrint costs
    at the least, before DOCX, XLSX and start-up."""
    from notice import pdf as notice_pdf
    from notice.paginate import parsed

    assert FINAL, "bench_stages lays the documents out first"
    spent, pages = 0.0, 0
    for html, css, fonts in FINAL:
        allowed = frozenset(face.url for face in fonts.font_faces())
        config, stylesheet = notice_pdf._stylesheet(css, allowed)
        start = time.process_time()
        document = parsed(html, notice_pdf.FontsOnlyFetcher(allowed), stylesheet).render(
            stylesheets=[stylesheet], font_config=config, presentational_hints=True)
        document.write_pdf()
        spent += time.process_time() - start
        pages += len(document.pages)
    return spent, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout of the tool, timed "
                        "cold in the same rounds (e.g. a worktree of an older commit)")
    parser.add_argument("--scale-letters", type=int, default=100)
    parser.add_argument("--skip-scale", action="store_true", help="leave out part 3")
    parser.add_argument("--only-scale", action="store_true", help="run part 3 alone")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}; load average at the start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        if not args.only_scale:
            print(f"\n1. full cold build of 2021 (notice + letters, PDF + DOCX, XLSX), "
                  f"{args.runs} interleaved rounds")
            against = args.against.resolve() if args.against else None
            times = bench_builds(tmp, args.runs, against)
            report_builds(times, against)

            print("\n4. stages of one sequential build in one process (seconds)")
            stages = bench_stages()
            total = sum(stages.values())
            for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
                print(f"  {stage:30s} {seconds:6.2f}  {seconds / total:5.1%}")

            print("\n5. the floor: WeasyPrint alone, each document's final HTML laid out once")
            floor, pages = bench_floor()
            lo, lo_cpu = median(times["libreoffice"]), median(times["libreoffice CPU"])
            print(f"  layout and PDF, no cut, no DOCX, no start-up: {floor:.2f} s of CPU for "
                  f"{pages} pages; LibreOffice's whole conversion: {lo_cpu:.2f} s of CPU")
            print(f"  on {os.cpu_count()} cores at best {floor / (os.cpu_count() or 1):.2f} s, "
                  f"{floor / (os.cpu_count() or 1) / lo:.2f} of LibreOffice's {lo:.2f} s")
        if not args.skip_scale:
            print("\n3. scale")
            bench_scale(tmp, args.scale_letters)
        print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

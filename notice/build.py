"""The build: load → check → render → write, for the notice and one task sheet a unit."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import usercache
from .cache import RenderCache, font_fingerprint, inputs_key, render_key, values_key
from .checks import load_and_check
from .errors import NoticeError
from .folder import assets_digest, inputs
from .fonts import FontSet
from .model import Content
from .output import Staging, Written, record, write_manifest
from .publish import LOCK_WAIT, publishing
from .render import notice_context, render_css, render_sheet_html, render_template, sheet_context
from .tempdirs import private_tempdir
from .workers import die_with_parent
from .writers import Document, build_writers, document_writers, render_document


class RenderFailed(NoticeError):
    """One document could not be rendered; nothing of it was written."""


@dataclass
class BuildResult:
    content: Content
    fonts: FontSet
    root: Path
    written: list[Written] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # documents laid out (not from cache)
    idle_recipients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # of the pages of the documents laid out, those taken from an earlier layout (their own
    # last one, or a letter alike's: notice/reuse.py) and those laid out
    kept_pages: int = 0
    pages_laid_out: int = 0


@dataclass(frozen=True)
class Job:
    """One document to render: its HTML, which shared context it uses, where it goes."""

    stem: str  # path relative to OUT/<year>/, without suffix
    kind: str  # notice or sheet
    unit: str | None
    html: str
    key: str
    # where the record of the document's last layout is kept (notice/reuse.py), or None:
    # the archive's documents are laid out whole, always
    layout_key: str | None = None


def build(content_dir: Path, out_dir: Path, font_overrides: dict[str, str] | None = None,
          units: list[str] | None = None, jobs: int | None = None,
          progress: Callable[[int], None] | None = None, pdf_variant: str | None = None,
          root: Path | None = None, use_cache: bool = True, wait: float = LOCK_WAIT,
          waiting: Callable[[], None] | None = None, warm: bool = False) -> BuildResult:
    """Build the year's documents into OUT/<year>/ (or `root`) and list them in its manifest.

    OUT/<year> is published all at once (notice/publish.py), under OUT/.lock (`wait` seconds
    for another build to finish). With `units`, only those units' letters are built, and
    the set keeps the other letters of units that still have work.
    `pdf_variant` ("pdf/a-2b" for the archive) is handed to WeasyPrint. A document whose HTML,
    CSS, fonts and code are unchanged since an earlier build comes from OUT/.cache.
    `warm` (a watch's builds): the workers are forked once and kept for the next builds of
    this process (close_kept_workers ends them).
    """
    # every temporary file of the build (WeasyPrint's font folders, ctypes' probes) goes into
    # a private folder removed when the build ends (or by the next build if this one is killed)
    with private_tempdir():
        return _build(content_dir, out_dir, font_overrides, units, jobs, progress, pdf_variant,
                      root, use_cache, wait, waiting, warm)


def _build(content_dir, out_dir, font_overrides, units, jobs, progress, pdf_variant, root,
           use_cache, wait, waiting, warm) -> BuildResult:
    # load and check everything before anything is written
    content, _text, sheets, fonts = load_and_check(content_dir, font_overrides, units)
    given = root is not None
    root = Path(root) if given else Path(out_dir) / str(content.year)
    result = BuildResult(content, fonts, root)

    # templates: every document's HTML, and the key of what it depends on
    # (letters alone: the notice's context, its columns fitted to the whole checklist, unused)
    contexts = {} if units else {"notice": notice_context(content, fonts)}
    if sheets:  # letters, with their wording (sheets.yaml), only where units have work
        contexts["sheet"] = sheet_context(content, fonts)
    styles = {kind: render_css(context) for kind, context in contexts.items()}
    face_key = font_fingerprint(fonts.files())
    assets_key = assets_digest(content.folder)
    todo = []

    def layout_key(stem: str, kind: str) -> str | None:
        return None if pdf_variant else render_key(f"layout of {stem}", styles[kind], face_key,
                                                   assets_key, None)

    if not units:
        html = render_template("notice.html.j2", **contexts["notice"])
        todo.append(Job("notice", "notice", None, html,
                        render_key(html, styles["notice"], face_key, assets_key, pdf_variant),
                        layout_key("notice", "notice")))
    for sheet in sheets:
        html = render_sheet_html(contexts["sheet"], sheet)
        stem = f"sheets/{sheet.stem}"
        todo.append(Job(stem, "sheet", sheet.unit.name, html,
                        render_key(html, styles["sheet"], face_key, assets_key, pdf_variant),
                        layout_key(stem, "sheet")))

    usercache.flush()  # the widths fitted, kept for the next build

    # render what the cache lacks, in a pool of workers; stage each document as it comes,
    # and put the whole set in place at the end (a fault or Ctrl-C leaves the last set whole)
    cache = RenderCache(Path(out_dir) / ".cache" if use_cache else None)
    working = {unit.name for unit in content.assignments_by_unit()}
    with _destination(out_dir, content.year, not given, units, working, wait,
                      waiting) as staging:
        once: dict = {}  # writer → bytes: the matrix, made again only when what it shows changed

        def once_a_build() -> None:  # (while the workers lay the documents out)
            for writer in (w for w in build_writers() if w.wanted(content) and not units):
                key = (inputs_key(inputs(content.folder)) if writer.made_from is None
                       else values_key(writer.made_from(content)))
                once[writer] = cache.get(key, writer.suffix)
                if once[writer] is None:
                    once[writer] = writer.render(content)
                    cache.put(key, writer.suffix, once[writer])

        for job, files in _render_all(todo, cache, contexts, styles, fonts, jobs, pdf_variant,
                                      progress, result, once_a_build, warm):
            for suffix, data in files.items():
                result.written.append(record(root, f"{job.stem}.{suffix}", data, job.kind,
                                             job.unit, staging=staging))
        for writer, data in once.items():
            result.written.append(record(root, f"{writer.stem}.{writer.suffix}", data,
                                         writer.kind, staging=staging))
        write_manifest(root, content.year, result.written, keep_others=bool(units),
                       staging=staging)
    result.idle_recipients = content.idle_recipients()
    return result


@contextlib.contextmanager
def _destination(out_dir: Path, year: int, publish: bool, units: list[str] | None,
                 working: set[str], wait: float, waiting: Callable[[], None] | None):
    """Where the documents go: a draft of OUT/<year> published at the end, or (the archive's
    private folder) files staged beside their targets."""
    if not publish:
        with Staging() as staging:
            yield staging
        return
    # a partial build keeps the notice, the matrix and the letters of the other units that
    # still have work (a rebuilt unit's old letter goes, whatever it was named)
    keep = (lambda entry: entry.get("unit") is None
            or (entry.get("unit") in working and entry.get("unit") not in units)) \
        if units else None
    with publishing(out_dir, year, keep, wait, waiting) as draft:
        yield draft


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (fast) rather than fontTools."""
    from weasyprint.text import ffi

    return bool(getattr(ffi, "harfbuzz_subset", None))


# -- rendering, in parallel -------------------------------------------------------------------

_WORKER: dict = {}


def _render_all(todo: list[Job], cache: RenderCache, contexts: dict, styles: dict,
                fonts: FontSet, jobs: int | None, pdf_variant: str | None,
                progress: Callable[[int], None] | None, result: BuildResult,
                meanwhile: Callable[[], None], warm: bool = False):
    """Yield (job, {suffix: bytes}) for every job: from the cache, or rendered by workers;
    `meanwhile` is run once, while the workers work. With `warm`, the workers are the ones
    kept for this process's builds (_kept_pool)."""
    pending = []
    for job in todo:
        cached = {w.suffix: cache.get(job.key, w.suffix) for w in document_writers()}
        if all(cached.values()):
            if progress:
                progress(len(todo))
            yield job, cached
        else:
            pending.append(job)
    if pending and not harfbuzz_subsetting():  # asked only when something is laid out
        result.notes.append("libharfbuzz-subset is missing: font subsetting falls back to "
                            "fontTools and is about 15 times slower (run scripts/setup.sh)")
    previous = [_previous(cache, job) for job in pending]
    tasks = _tasks(pending, previous)
    _WORKER.update(contexts=contexts, styles=styles, fonts=fonts, jobs=pending,
                   pdf_variant=pdf_variant, previous=previous, tasks=tasks)
    forks = "fork" in multiprocessing.get_all_start_methods()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    kept = warm and forks and max(1, jobs or os.cpu_count() or 1) > 1
    pool = None
    if not (kept and "pool" in _KEPT):  # (kept workers, once forked, parse their own)
        _load_stylesheets({styles[job.kind]: [j.html for j in pending if j.kind == job.kind]
                           for job in pending}, fonts)
    if pending:  # what every worker would import for itself (and again each build of a watch)
        import pikepdf  # noqa: F401 - a layout that keeps pages puts them in with it

        from . import docx  # noqa: F401
    # what exists now is never scanned by the garbage collector again (nor, in a worker,
    # touched and so copied), and layouts make many short-lived objects: collect less often
    gc.freeze()
    threshold = gc.get_threshold()
    finished = False
    try:
        if not tasks:
            results = iter(())
        elif kept:  # a watch's: workers forked once, each build's tasks sent to them
            results = _kept_pool(jobs).imap_unordered(
                _render_sent, [_sent(task) for task in tasks])
        elif workers == 1 or not forks:
            gc.set_threshold(*_GC_THRESHOLD)
            results = map(_render_task, range(len(tasks)))
        else:
            # fork: the workers inherit the parsed templates, stylesheets, fonts and contexts
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_leave_ctrl_c, initargs=(os.getpid(),))
            results = pool.imap_unordered(_render_task, range(len(tasks)))
        meanwhile()
        for done in (done for task in results for done in task):
            job = pending[done.index]
            if done.error:
                who = f"the letter to {job.unit}" if job.unit else "the notice"
                raise RenderFailed(f"{who} failed: {done.error}; nothing of it was written")
            files = done.files
            for suffix, data in files.items():
                cache.put(job.key, suffix, data)
            if done.layout is not None and job.layout_key:
                cache.put(job.layout_key, LAYOUT, done.layout)
            result.kept_pages += done.kept
            result.pages_laid_out += done.pages - done.kept
            result.rendered.append(job.stem)
            if progress:
                progress(len(todo))
            yield job, files
        finished = True
    finally:
        if pool is not None:
            if finished:
                pool.close()  # the workers end as processes do, their objects collected
            else:
                pool.terminate()
            pool.join()
        if kept and not finished:  # (its workers may be busy with this build's tasks)
            close_kept_workers()
        _WORKER.clear()
        gc.set_threshold(*threshold)
        gc.unfreeze()


# -- a watch's workers, kept from one build to the next -------------------------------------

_KEPT: dict = {}  # "pool": the workers; "key": how many, and their temporary folder


def _kept_pool(jobs: int | None):
    """The workers kept for this process's builds (a watch's), forked at the first: each
    later build sends them its tasks. A forked worker's first document costs about 0.1 s
    more than its next (the pages of the parent's objects it touches are copied, the text
    engine's caches are filled); kept, they pay it once a watch rather than once a save."""
    # (the workers' stylesheets hold fonts copied into the temporary folder they were forked
    # in: a watch's, for as long as it watches)
    key = (max(1, jobs or os.cpu_count() or 1), tempfile.gettempdir())
    if _KEPT.get("key") != key:
        close_kept_workers()
        _KEPT.update(key=key, pool=multiprocessing.get_context("fork").Pool(
            key[0], initializer=_leave_ctrl_c, initargs=(os.getpid(),)))
    return _KEPT["pool"]


def close_kept_workers() -> None:
    """End the workers kept for this process's builds (the watch ends)."""
    pool = _KEPT.pop("pool", None)
    _KEPT.clear()
    if pool is not None:
        pool.terminate()
        pool.join()


def _sent(task: list[int]) -> dict:
    """What a kept worker needs of one task: the jobs, their earlier layouts, and of the
    build only what rendering reads (the stylesheets, the fonts, the DOCX's layout figures)."""
    jobs = [_WORKER["jobs"][index] for index in task]
    kinds = {job.kind for job in jobs}
    return dict(indices=task, jobs=jobs, previous=[_WORKER["previous"][i] for i in task],
                contexts={kind: {key: value for key, value in _WORKER["contexts"][kind].items()
                                 if key in _RENDERING_READS} for kind in kinds},
                styles={kind: _WORKER["styles"][kind] for kind in kinds},
                fonts=_WORKER["fonts"], pdf_variant=_WORKER["pdf_variant"])


# what rendering reads of a template context (the DOCX writer, notice/docx/writer.py: the
# layout figures, the columns, a letter's layout; the PDF writer the signature's images)
_RENDERING_READS = ("layout", "columns", "letter")


def _render_sent(sent: dict) -> list[Rendered]:
    """Kept worker: one task sent by a build (_sent), rendered as _render_task does."""
    indices = sent.pop("indices")
    _WORKER.clear()
    _WORKER.update(sent, tasks=[list(range(len(indices)))])
    try:
        return [replace(done, index=indices[done.index]) for done in _render_task(0)]
    finally:
        _WORKER.clear()


_GC_THRESHOLD = (10_000, 10, 10)  # Python's is (700, 10, 10): 15 % of a layout's CPU less


def _load_stylesheets(styles: dict[str, list[str]], fonts: FontSet) -> None:
    """Parse the stylesheets and load their fonts in this process, before the workers fork,
    and make the lean default stylesheets of the documents (HTML) each styles: each worker
    would do it again otherwise. One that fails is left to the workers, which report the
    failure with the document's name."""
    if not styles:
        return
    from .pdf import load_stylesheet

    for css, documents in styles.items():
        try:
            load_stylesheet(css, fonts, documents)
        except Exception:  # noqa: BLE001, S110 - reported by the worker that meets it
            pass


def _leave_ctrl_c(parent: int) -> None:
    """Worker: Ctrl-C reaches the whole process group, but it is the main process's to
    handle (it ends the pool); a worker that took it too would print a traceback. A worker
    dies, silently, with the main process (kill -9, a closed terminal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    gc.set_threshold(*_GC_THRESHOLD)


def _previous(cache: RenderCache, job: Job) -> tuple | None:
    """The record of the document's last layout and that layout's PDF, if both are in the
    cache and whole (notice/reuse.py)."""
    if not job.layout_key:
        return None
    from .reuse import Record

    record = Record.from_bytes(cache.get(job.layout_key, LAYOUT))
    pdf = cache.get(record.pdf_key, "pdf") if record is not None else None
    return (record, pdf) if pdf is not None else None


LAYOUT = "layout"  # the render cache's name for a layout's record


def _tasks(pending: list[Job], previous: list) -> list[list[int]]:
    """The jobs (indices into `pending`) a worker takes at once: letters whose checklist
    table and all after it are the same (the districts' letters of one list of tasks), and
    that have no layout of their own to start from, go together, the first laid out whole
    and the others from its record (their pages converge once the cover is past:
    notice/reuse.py); every other job alone. The longest first, so that no worker is left
    with a long one at the end."""
    from .row_cut import SPLIT_ROWS

    groups: dict = {}
    for index, job in enumerate(pending):
        at = job.html.find(SPLIT_ROWS)
        table = job.html.rfind("<table", 0, at) if at >= 0 else -1
        alike = (job.kind, job.html[table:]) if (
            table >= 0 and previous[index] is None and job.layout_key) else index
        groups.setdefault(alike, []).append(index)

    def cost(task: list[int]) -> float:  # a letter laid out from another's: its cover
        return len(pending[task[0]].html) + sum(len(pending[i].html) for i in task[1:]) / 4

    return sorted(groups.values(), key=cost, reverse=True)


@dataclass(frozen=True)
class Rendered:
    """What a worker sends back of one job."""

    index: int  # in the pending jobs
    files: dict | None  # {suffix: bytes}, None if it failed
    layout: bytes | None = None  # the record of its layout (notice/reuse.py)
    pages: int = 0  # its pages (where recorded)
    kept: int = 0  # of them, taken from an earlier layout
    error: str | None = None  # why it failed


def _render_task(number: int) -> list[Rendered]:
    """Worker: the jobs of one task (see _tasks), each rendered as _render_job does, the
    first one's layout given to the others to start from."""
    done, first = [], None
    for index in _WORKER["tasks"][number]:
        previous = _WORKER["previous"][index] or first
        rendered, record = _render_job(index, previous)
        if first is None and record is not None:
            first = (record, rendered.files["pdf"])
        done.append(rendered)
    return done


def _render_job(index: int, previous: tuple | None = None) -> tuple[Rendered, object]:
    """Worker: one document in every document format and the record of its layout (laid
    out from `previous` where it can), or the reason it failed."""
    job = _WORKER["jobs"][index]
    try:
        document = Document(job.html, _WORKER["styles"][job.kind], _WORKER["contexts"][job.kind],
                            _WORKER["fonts"], _WORKER["pdf_variant"], previous=previous)
        files, record = render_document(document)
        if record is None:
            return Rendered(index, files), None
        record.pdf_key = job.key
        return Rendered(index, files, record.to_bytes(), len(record.pages), record.kept), record
    except NoticeError as exc:
        return Rendered(index, None, error=exc.format_message()), None
    except Exception as exc:  # noqa: BLE001 - reported with the document's name
        return Rendered(index, None, error=f"{type(exc).__name__}: {exc}"), None

"""The command line a clerk uses: validate, list units, build, archive, start a new year."""

from __future__ import annotations

import atexit
import errno
import functools
import os
import sys
from pathlib import Path

import click

from . import errors
from .checks import load_and_check
from .content import latest_folder, load_content
from .model import ROLE_LEAD
from .style import FONT_ROLES
from .writers import document_writers, labels

EXIT_HELP = """
Exit status: 0 success; 1 the content has problems (each is listed with its file and line,
nothing is written); 2 the command line is wrong; 3 a fault of the tool or the machine
(disk full, permission denied); 130 interrupted with Ctrl-C (nothing half-written is left).
"""

WATCH_EXIT_HELP = """
Exit status: 0 stopped with Ctrl-C (nothing half-written is left); 2 the command line is wrong;
3 a fault of the tool or the machine (disk full, permission denied). A content problem does not
end the watch: it is listed, and the next save is built again.
"""

BUSY_HELP = """
Build only: 5 another build into the same output folder held its lock for longer than --wait.
"""

content_option = click.option(
    "--content", "content_dir", type=click.Path(path_type=Path), default=None,
    help="A year's content folder (default: the latest year under content/).")
out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
    show_default=True, help="Where the documents are written.")


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _guarded(command):
    """Turn an unexpected fault into one plain sentence and exit status 3, not a traceback."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # the reader went away (`units | head`): not a fault worth a message
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written was left behind.", err=True)
            sys.exit(130)
        except OSError as exc:
            # a full or read-only disk is a write; a denied or vanished file may be a read
            verb = "write" if exc.errno in _WRITE_ERRNOS else "read or write"
            raise errors.OutputError(f"cannot {verb}: {exc.strerror or exc} "
                                     f"({exc.filename or 'unknown file'})") from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a clerk
            raise errors.NoticeError(f"internal error ({type(exc).__name__}: {exc}); "
                                     "please report it with the content folder") from None
    return run


def _folder(content_dir: Path | None) -> Path:
    """The content folder asked for, or the latest year's, named on stderr so that a clerk
    knows which year a command read."""
    if content_dir is not None:
        return content_dir
    folder = latest_folder()
    click.echo(f"content: {folder} (the latest year; choose another with --content)", err=True)
    return folder


def _waiting_for(what: str):
    def waiting() -> None:
        click.echo(f"another {what} into this output folder is running; waiting for it to "
                   "finish…", err=True)
    return waiting


def _load(content_dir: Path | None):
    return load_content(_folder(content_dir))


@click.group(help="Builds the GB/T 9704 notice and one task sheet per unit from YAML content.\n"
             + EXIT_HELP, epilog=None)
def main() -> None:
    pass


@main.command(help="Check the content and print a summary. Writes nothing.\n" + EXIT_HELP)
@content_option
@_guarded
def validate(content_dir: Path | None) -> None:
    # the content, the letters' text and the fonts, as build checks them, in one pass
    content, _text, _sheets, _fonts = load_and_check(_folder(content_dir))
    by_unit = content.assignments_by_unit()
    click.echo(f"{content.folder}: valid — {content.notice.doc_number}")
    documents = [content.notice] + ([content.workpoints] if content.workpoints else [])
    attachments = sum(len(d.attachments) for d in documents)
    click.echo(f"  {len(documents)} document{'s' if len(documents) > 1 else ''}, "
               f"{attachments} attachment{'s' if attachments != 1 else ''}")
    indicators = content.checklist.indicators if content.checklist else ()
    if indicators:
        domains = [d for d in content.checklist.domains if d.name]
        click.echo(f"  {len(indicators)} indicators ({indicators[0].number}–"
                   f"{indicators[-1].number})"
                   + (f" in {len(domains)} domains" if domains else ""))
        click.echo(f"  {len(content.units.recipients)} recipients, {len(by_unit)} units with "
                   f"work, {sum(len(a) for a in by_unit.values())} assignments")
    for warning in content.warnings:
        click.echo(f"  warning: {warning}")


@main.command(help="Build the notice and one task sheet per unit "
              f"({labels(document_writers())}) and the "
              "responsibility matrix into OUT/<year>/, listed in OUT/<year>/manifest.json. "
              "The set is switched in one step: a reader, or a build that is killed, sees the "
              "old set or the new one, never a mix.\n" + EXIT_HELP + BUSY_HELP)
@content_option
@out_option
@click.option("--unit", "units", multiple=True, metavar="NAME",
              help="Build only this unit's letter (repeatable); the notice is left as it is.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Letters rendered at once (default: the number of cores).")
@click.option("--font", "fonts", multiple=True, metavar="ROLE=FILE",
              help="Use a font file of your own for a role (title, body, heading, kai, "
                   "page_number). Repeatable.")
@click.option("--no-cache", is_flag=True,
              help="Lay every document out again, even those unchanged since the last build.")
@click.option("--wait", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds to wait while another build writes into the same --out.")
@_guarded
def build(content_dir: Path | None, out_dir: Path, units: tuple[str, ...], jobs: int | None,
          fonts: tuple[str, ...], no_cache: bool, wait: float) -> None:
    from .build import build as run_build

    overrides = _font_overrides(fonts)
    folder = _folder(content_dir)
    bar = None

    def advance(total: int) -> None:
        """A progress bar on a terminal; nothing when the output goes to a file or a pipe."""
        nonlocal bar
        if not sys.stdout.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="documents", show_pos=True)
            bar.__enter__()
        bar.update(1)

    try:
        result = run_build(folder, out_dir, overrides, list(units), jobs, advance,
                           use_cache=not no_cache, wait=wait, waiting=_waiting_for("build"))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _report(result, units)


def _font_overrides(fonts: tuple[str, ...]) -> dict[str, str]:
    """--font ROLE=FILE options as {role: file}."""
    overrides = {}
    for item in fonts:
        role, sep, path = item.partition("=")
        if not sep or role not in FONT_ROLES:
            raise click.BadParameter(f'"{item}": write ROLE=FILE with ROLE one of '
                                     f"{', '.join(FONT_ROLES)}", param_hint="--font")
        overrides[role] = path
    return overrides


def _report(result, units=()) -> None:
    """What a build wrote, laid out and noticed."""
    for line in result.fonts.summary():
        click.echo(f"font {line}")
    formats = document_writers()
    first = formats[0].suffix
    sheets = [w for w in result.written if w.kind == "sheet" and w.format == first]
    others = [w for w in result.written if w.kind != "sheet"]
    for written in others:
        click.echo(f"wrote {result.root / written.path}")
    click.echo(f"wrote {len(sheets)} letters ({labels(formats)}) in {result.root / 'sheets'}")
    documents = len([w for w in result.written if w.format == first])
    click.echo(f"laid out {len(result.rendered)} of {documents} documents; the rest were "
               "unchanged and came from the cache")
    _report_kept(result)
    for note in result.notes:
        click.echo(f"warning: {note}")
    if result.idle_recipients and not units:
        click.echo(f"no letter for {len(result.idle_recipients)} recipients without an "
                   f"assignment: {'、'.join(result.idle_recipients)}")


def _report_kept(result) -> None:
    """How many of the pages laid out came from an earlier layout (notice/reuse.py)."""
    if result.kept_pages:
        total = result.kept_pages + result.pages_laid_out
        click.echo(f"{result.kept_pages} of their {total} pages were kept from an earlier "
                   "layout (theirs, or a letter's with the same attachment)")


@main.command(help="Build, then keep watching the content folder: each time a file of it is "
              "saved, the documents it changes are built again (the others come from the "
              "cache), in a process that stays ready. A content problem is listed as build "
              "lists it, nothing is written, and the watch goes on. Ctrl-C stops it.\n"
              + WATCH_EXIT_HELP)
@content_option
@out_option
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Letters rendered at once (default: the number of cores).")
@click.option("--font", "fonts", multiple=True, metavar="ROLE=FILE",
              help="Use a font file of your own for a role. Repeatable.")
@_guarded
def watch(content_dir: Path | None, out_dir: Path, jobs: int | None,
          fonts: tuple[str, ...]) -> None:
    import time

    from .build import build as run_build
    from .build import close_kept_workers
    from .watch import watch as run_watch

    overrides = _font_overrides(fonts)
    folder = _folder(content_dir)

    builds = 0

    def built(result, seconds: float) -> None:
        nonlocal builds
        builds += 1
        if builds == 1:  # the whole report once, then what each save did
            _report(result)
        else:
            documents = len([w for w in result.written if w.format == "pdf"])
            click.echo(f"laid out {len(result.rendered)} of {documents} documents "
                       f"({', '.join(result.rendered) or 'none'})")
            _report_kept(result)
            for note in result.notes:
                click.echo(f"warning: {note}")
        click.echo(f"{time.strftime('%H:%M:%S')} built in {seconds:.1f} s; watching {folder} "
                   "(Ctrl-C to stop)")

    def failed(error: errors.NoticeError) -> None:
        error.show()
        click.echo(f"{time.strftime('%H:%M:%S')} the last set is left as it was; watching "
                   f"{folder}: save the file again once it is fixed", err=True)

    try:
        run_watch(folder, lambda: run_build(folder, out_dir, overrides, jobs=jobs, warm=True,
                                            waiting=_waiting_for("build")), built, failed)
    except KeyboardInterrupt:
        click.echo("stopped watching; nothing half-written was left behind.", err=True)
    finally:
        close_kept_workers()


@main.command(help="List each unit with the indicators it leads and shares.\n" + EXIT_HELP)
@content_option
@_guarded
def units(content_dir: Path | None) -> None:
    content = _load(content_dir)
    if not content.assignments():
        click.echo("no unit has work: the content has no checklist naming units"
                   if content.checklist is None else "no unit has work in the checklist")
    for unit, assignments in content.assignments_by_unit().items():
        leads = [str(a.indicator.number) for a in assignments if a.role == ROLE_LEAD]
        shares = [str(a.indicator.number) for a in assignments if a.role != ROLE_LEAD]
        click.echo(f"{unit.order:02d} {unit.name}")
        click.echo(f"     leads:  {', '.join(leads) or '—'}")
        click.echo(f"     shares: {', '.join(shares) or '—'}")


# -- new year, diff, the checklist as a spreadsheet ---------------------------------------

@main.command("new-year", help=(
    "Start YEAR's content from the latest year's: the year and 发文字号 moved on, every "
    "「<old>年」 (「<old>年度」, 「<old>年3月」 …) made 「<new>年」, every date and deadline "
    "marked 待填 (validate lists each one until it is filled). Comments are kept; an "
    "existing year is never overwritten (exit status 1, as for a year that is not after the "
    "latest).\n" + EXIT_HELP))
@click.argument("year", type=click.IntRange(1949, 2999))
@click.option("--content-root", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help="The folder that holds the year folders.")
@_guarded
def new_year(year: int, content_root: Path) -> None:
    from .newyear import start_year

    done = start_year(year, content_root)
    click.echo(f"created {done.folder} from {done.source}")
    click.echo(f"  发文字号: {done.doc_number} (the number is kept from {done.source.name}; "
               "change it if this year's differs)")
    old = done.source.name
    click.echo(f"  moved to {year}: {done.moved} mentions of the year {old} (「{old}年」, "
               f"「{old}年度」, 「{old}年3月」 …)")
    for moved in done.moved_at:
        click.echo(f"    {moved}")
    click.echo(f"  marked 待填: {done.dates} dates and {done.deadlines} deadlines; validate "
               "lists each one until it is filled")
    if done.check:
        click.echo(f"left as they were: these texts still name {done.source.name} otherwise; "
                   "check them:")
        for problem in done.check:
            click.echo(f"  {problem}")
    click.echo(f"next: fill in every 待填, then run: python build.py validate --content "
               f"{done.folder}")


@main.command("diff", help=(
    "List what changed from one year to another: indicators added, removed or changed (target, "
    "tasks, deadline, units…) and units gaining or losing work. OLD and NEW are year folders "
    "under --content-root; a year still holding 待填 is compared as written.\n" + EXIT_HELP))
@click.argument("old")
@click.argument("new")
@click.option("--content-root", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help="The folder that holds the year folders.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@_guarded
def diff(old: str, new: str, content_root: Path, as_json: bool) -> None:
    import json

    from .diff import compare

    changes = compare(content_root / old, content_root / new)
    if as_json:
        click.echo(json.dumps(changes.as_json(), ensure_ascii=False, indent=2))
        return
    for line in changes.lines():
        click.echo(line)


@main.group(help=(
    "The checklist as a workbook a clerk edits in Excel, WPS or LibreOffice, and back: "
    "`checklist export` writes it, `checklist import` reads it into checklist.yaml.\n"
    + EXIT_HELP))
def checklist() -> None:
    pass


@checklist.command("export", help=(
    "Write the year's checklist as a workbook (default: checklist-<year>.xlsx here): one row "
    "an indicator, the declared columns as heads, 领域 and 任务 merged over their rows, "
    "sub-indicators and their targets a line each in the name and target cells, units "
    "separated by 、, drop-down lists of the kinds and the units. An existing file is not "
    "overwritten unless --force is given.\n" + EXIT_HELP))
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@content_option
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@_guarded
def checklist_export(file: Path | None, content_dir: Path | None, force: bool) -> None:
    from .checklist_import import export_checklist

    folder = _folder(content_dir)
    target = file or Path(f"checklist-{folder.name}.xlsx")
    count = export_checklist(folder, target, force)
    click.echo(f"wrote {target} ({count} indicators)")


@checklist.command("import", help=(
    "Read a workbook made by `checklist export` (and edited) into the year's checklist.yaml, "
    "keeping its comments and order where the data did not change. Every problem of the "
    "sheet is listed at once, located as FILE.xlsx!Sheet!D14; then nothing is written.\n"
    + EXIT_HELP))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@content_option
@_guarded
def checklist_import(file: Path, content_dir: Path | None) -> None:
    from .checklist_import import import_checklist

    done = import_checklist(file, _folder(content_dir))
    for note in done.notes:
        click.echo(f"note: {note}")
    if not done.written:
        click.echo(f"{done.path} unchanged: the workbook holds what it already holds")
        return
    parts = [f"{len(n)} {label} ({', '.join(map(str, n))})" for label, n in (
        ("added", done.added), ("removed", done.removed), ("changed", done.changed)) if n]
    said = [f"indicators {'; '.join(parts)}"] if parts else []
    said += ["the title changed"] if done.title else []
    click.echo(f"wrote {done.path}: {'; '.join(said) or 'indicators reordered or regrouped'}")


# the archive's commands, in a module of their own
from . import cli_archive  # noqa: E402, F401 - registers `archive` and its subcommands


def entry() -> None:
    """The command line as a program (build.py, the `notice` script): `main`, then out of the
    process without taking the interpreter apart. A build leaves millions of objects behind
    (the content, templates, stylesheets, fonts), and freeing them one by one as Python ends
    took 0.2-0.3 s after the work was done and the files in place. The exit handlers
    (a library's temporary files, the log) still run and the output is flushed first."""
    try:
        main()
        code = 0
    except SystemExit as done:  # (click ends every command so)
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as Python's own exit does with a message
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # (CPython runs these as it ends; os._exit would not)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream was closed
            pass
    os._exit(code)

"""The command line a clerk uses: validate, list units, build, archive, start a new year."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import errors
from .content import latest_folder, load_content
from .model import ROLE_LEAD
from .style import FONT_ROLES

EXIT_HELP = """
Exit status: 0 success; 1 the content has problems (each is listed with its file and line,
nothing is written); 2 the command line is wrong; 3 a fault of the tool or the machine
(disk full, permission denied); 130 interrupted with Ctrl-C (nothing half-written is left).
"""

content_option = click.option(
    "--content", "content_dir", type=click.Path(path_type=Path), default=None,
    help="A year's content folder (default: the latest year under content/).")
out_option = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
    show_default=True, help="Where the documents are written.")


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
            raise errors.OutputError(f"cannot write: {exc.strerror or exc} "
                                     f"({exc.filename or 'unknown file'})") from None
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a clerk
            raise errors.NoticeError(f"internal error ({type(exc).__name__}: {exc}); "
                                     "please report it with the content folder") from None
    return run


def _load(content_dir: Path | None):
    return load_content(content_dir if content_dir is not None else latest_folder())


@click.group(help="Builds the GB/T 9704 notice and one task sheet per unit from YAML content.\n"
             + EXIT_HELP, epilog=None)
def main() -> None:
    pass


@main.command(help="Check the content and print a summary. Writes nothing.\n" + EXIT_HELP)
@content_option
@_guarded
def validate(content_dir: Path | None) -> None:
    content = _load(content_dir)
    by_unit = content.assignments_by_unit()
    indicators = content.checklist.indicators
    click.echo(f"{content.folder}: valid — {content.notice.doc_number}")
    click.echo(f"  {len(indicators)} indicators ({indicators[0].number}–{indicators[-1].number})"
               f" in {len(content.checklist.domains)} domains")
    click.echo(f"  {len(content.units.recipients)} recipients, {len(by_unit)} units with work, "
               f"{sum(len(a) for a in by_unit.values())} assignments")
    for warning in content.warnings:
        click.echo(f"  warning: {warning}")


@main.command(help="Build the notice and one task sheet per unit (PDF and DOCX) and the "
              "responsibility matrix into OUT/<year>/, listed in OUT/<year>/manifest.json.\n"
              + EXIT_HELP)
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
@_guarded
def build(content_dir: Path | None, out_dir: Path, units: tuple[str, ...], jobs: int | None,
          fonts: tuple[str, ...], no_cache: bool) -> None:
    from .build import build as run_build

    overrides = {}
    for item in fonts:
        role, sep, path = item.partition("=")
        if not sep or role not in FONT_ROLES:
            raise click.BadParameter(f'"{item}": write ROLE=FILE with ROLE one of '
                                     f"{', '.join(FONT_ROLES)}", param_hint="--font")
        overrides[role] = path
    folder = content_dir if content_dir is not None else latest_folder()
    bar = None

    def advance(total: int) -> None:
        """A progress bar on a terminal; nothing when the output goes to a file or a pipe."""
        nonlocal bar
        if not sys.stdout.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="letters", show_pos=True)
            bar.__enter__()
        bar.update(1)

    try:
        result = run_build(folder, out_dir, overrides, list(units), jobs, advance,
                           use_cache=not no_cache)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for line in result.fonts.summary():
        click.echo(f"font {line}")
    sheets = [w for w in result.written if w.kind == "sheet" and w.format == "pdf"]
    others = [w for w in result.written if w.kind != "sheet"]
    for written in others:
        click.echo(f"wrote {result.root / written.path}")
    click.echo(f"wrote {len(sheets)} letters (PDF and DOCX) in {result.root / 'sheets'}")
    documents = len([w for w in result.written if w.format == "pdf"])
    click.echo(f"laid out {len(result.rendered)} of {documents} documents; the rest were "
               "unchanged and came from the cache")
    for note in result.notes:
        click.echo(f"warning: {note}")
    if result.idle_recipients and not units:
        click.echo(f"no letter for {len(result.idle_recipients)} recipients without an "
                   f"assignment: {'、'.join(result.idle_recipients)}")


@main.command(help="List each unit with the indicators it leads and shares.\n" + EXIT_HELP)
@content_option
@_guarded
def units(content_dir: Path | None) -> None:
    content = _load(content_dir)
    for unit, assignments in content.assignments_by_unit().items():
        leads = [str(a.indicator.number) for a in assignments if a.role == ROLE_LEAD]
        shares = [str(a.indicator.number) for a in assignments if a.role != ROLE_LEAD]
        click.echo(f"{unit.order:02d} {unit.name}")
        click.echo(f"     leads:  {', '.join(leads) or '—'}")
        click.echo(f"     shares: {', '.join(shares) or '—'}")

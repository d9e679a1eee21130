"""The archive's commands: archive, archive list, archive verify, archive keygen."""

from __future__ import annotations

from pathlib import Path

import click

from .archive import LOCK_WAIT
from .cli import EXIT_HELP, _folder, _guarded, content_option, main, out_option

ARCHIVE_EXIT_HELP = EXIT_HELP + """
Archive only: 4 an archived version is not as it was archived: a file, a manifest, the chain of
versions, a signature or a read-only mode (archive verify; archive refuses to add to a damaged
year); 5 another archive of the same year held the lock for longer than --wait.
"""


@main.group(invoke_without_command=True, help=(
    "Freeze what would be issued: the notice and every letter as PDF/A-2b, with the DOCX, the "
    "XLSX, a copy of the content and manifest.json (sizes, SHA-256, fonts, library versions), "
    "into OUT/archive/<year>/vNNN/, read-only. Unchanged content adds nothing and names the "
    "version that holds it. `archive list` and `archive verify` read the archive back.\n"
    + ARCHIVE_EXIT_HELP))
@content_option
@out_option
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Documents rendered at once (default: the number of cores).")
@click.option("--wait", type=click.FloatRange(min=0), default=LOCK_WAIT, show_default=True,
              help="Seconds to wait while another clerk archives the same year.")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The office's private key (from `archive keygen`): the new "
              "version's manifest is signed with it. Default: the file named by $NOTICE_KEY; "
              "without either, the version is not signed.")
@click.pass_context
@_guarded
def archive(ctx: click.Context, content_dir: Path | None, out_dir: Path, jobs: int | None,
            wait: float, key_file: Path | None) -> None:
    from .archive import archive as run_archive
    from .signing import key_path

    ctx.obj = dict(out_dir=out_dir, key_file=key_file, jobs=jobs)
    if ctx.invoked_subcommand is not None:
        return

    def waiting() -> None:
        click.echo("another archive of this year is running; waiting for it to finish…",
                   err=True)

    folder = _folder(content_dir)
    key = key_path(key_file)
    done = run_archive(folder, out_dir, jobs=jobs, wait=wait, waiting=waiting, key_file=key)
    if done.created:
        signed = ", signed" if key is not None else ""
        click.echo(f"archived {done.year} as {done.version} in {done.folder} "
                   f"({done.files} files, read-only{signed})")
        return
    latest = "" if done.version == done.latest else f"; the latest version is {done.latest}"
    click.echo(f"already archived: {done.year} as it stands is {done.version} ({done.folder})"
               f"{latest}; nothing was added")


_archive_out = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=None,
    help="The folder that holds archive/ (default: output).")
_archive_year = click.option("--year", type=click.IntRange(1949, 2999), default=None,
                             help="The year (default: the latest year archived).")


@archive.command("list", help="List the archived versions of a year, with their dates and what "
                 "changed since the version before.\n" + ARCHIVE_EXIT_HELP)
@_archive_out
@_archive_year
@click.pass_context
@_guarded
def archive_list(ctx: click.Context, out_dir: Path | None, year: int | None) -> None:
    from .archive_check import list_versions, year_folder

    folder = year_folder(out_dir or ctx.obj["out_dir"], year)
    listed = list_versions(folder)
    click.echo(f"{folder}: {len(listed)} version{'s' if len(listed) != 1 else ''}")
    for item in listed:
        click.echo(f"{item.version}  {item.archived_at}  {item.doc_number}  {item.files} files")
        for change in item.changes:
            click.echo(f"      {change}")


@archive.command("verify", help="Recompute every archived file's SHA-256 and name each file "
                 "missing, added or altered (all versions, or the one named); check that the "
                 "versions run from v001 without a gap, each manifest names the one before it "
                 "by its SHA-256, every file and folder is read-only, and each signature "
                 "matches (with --key or $NOTICE_KEY, that it is the office's key).\n"
                 + ARCHIVE_EXIT_HELP)
@click.argument("version", required=False)
@_archive_out
@_archive_year
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The office's public key (FILE.pub from `archive keygen`) or "
              "its private key. Default: the file named by $NOTICE_KEY.")
@click.option("--rebuild", is_flag=True, help="Also build the version named (default: the "
              "latest) again from its content copy and compare every document byte for byte: "
              "a proof that needs no key (about as long as a build).")
@click.pass_context
@_guarded
def archive_verify(ctx: click.Context, version: str | None, out_dir: Path | None,
                   year: int | None, key_file: Path | None, rebuild: bool) -> None:
    from .archive_check import raise_if_damaged, report, verify, year_folder
    from .signing import key_path

    folder = year_folder(out_dir or ctx.obj["out_dir"], year)
    verified = verify(folder, version, key_path(key_file or ctx.obj.get("key_file")),
                      rebuild=rebuild, jobs=ctx.obj.get("jobs"))
    for line in report(verified):
        click.echo(line)
    raise_if_damaged(folder, verified)


@archive.command("keygen", help="Make the office's key pair for signing archived versions: "
                 "FILE (the private key, readable by you only; keep it safe and give it to "
                 "`archive --key`) and FILE.pub (the public key, for whoever verifies). An "
                 "existing file is never overwritten.\n" + ARCHIVE_EXIT_HELP)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_guarded
def archive_keygen(file: Path) -> None:
    from .signing import generate

    private, public = generate(file)
    click.echo(f"wrote {private} (private: keep it; archive --key {private} signs with it)")
    click.echo(f"wrote {public} (public: archive verify --key {public} checks signatures)")

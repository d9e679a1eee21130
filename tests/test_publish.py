"""One build, one set: OUT/<year> is switched whole, a kill at any step leaves the old or the
new set, stale letters go, leftovers are swept, two builds do not interleave, no temporary
folder is left behind.

The layout engines are replaced by fast stand-ins where only the files matter.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO

import notice.build
import notice.docx
import notice.pdf
import notice.publish
from notice.cli import main

# a child process: the build with stand-in renderers, killed (SIGKILL) at the Nth file-system
# step of the publish step (every rename, link and removal), or not at all when N is 0
CHILD = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import notice.build, notice.docx, notice.pdf, notice.publish
content, out, tag, kill_at, exchange = sys.argv[2:7]
notice.pdf.render_pdf = lambda html, css, fonts, **o: f"%PDF {tag} {len(html)}".encode()
notice.docx.render_docx = lambda html, context: f"DOCX {tag} {len(html)}".encode()
notice.publish.RENAME_EXCHANGE = exchange == "yes"
steps, armed = [], []

def counted(name, function):
    def step(*args, **kwargs):
        if armed:
            steps.append(name)
            if len(steps) == int(kill_at):
                print(name, file=sys.stderr, flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return step

for name in ("symlink", "replace", "rename"):
    setattr(os, name, counted(name, getattr(os, name)))
for name in ("_exchange", "_remove"):
    setattr(notice.publish, name, counted(name, getattr(notice.publish, name)))
publish = notice.publish.Draft.publish

def publishing(self):
    armed.append(True)
    publish(self)

notice.publish.Draft.publish = publishing
from notice.cli import main
main(["build", "--content", content, "--out", out, "--jobs", "1", "--no-cache"])
"""


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _child(content: Path, out: Path, tag: str, kill_at: int = 0,
           exchange: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(REPO), str(content), str(out), tag,
                           str(kill_at), "yes" if exchange else "no"],
                          capture_output=True, text=True, timeout=120)


def _swept(out: Path) -> None:
    """Nothing of an earlier build is left: one build folder, the published one."""
    assert (out / "2021").is_symlink()
    assert [p.resolve() for p in (out / ".builds").iterdir()] == [(out / "2021").resolve()]
    assert not [p for p in out.iterdir() if p.name not in ("2021", ".builds", ".lock", ".cache")]
    assert not list(out.rglob("*.part"))


@pytest.fixture
def fake(content, monkeypatch):
    """Fast stand-ins for the PDF and DOCX writers; build() runs the CLI's build."""
    def build(*args: str, tag: str = "x"):
        monkeypatch.setattr(notice.pdf, "render_pdf",
                            lambda html, css, fonts, **o: f"%PDF {tag} {len(html)}".encode())
        monkeypatch.setattr(notice.docx, "render_docx",
                            lambda html, context: f"DOCX {tag} {len(html)}".encode())
        return CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                         "--jobs", "1", "--no-cache", *args])
    return build


# -- a kill at every step of the switch -------------------------------------------------------

@pytest.mark.parametrize("before, exchange", [("link", True), ("folder", True),
                                               ("folder", False)],
                         ids=["link", "folder-exchange", "folder-two-renames"])
def test_a_kill_at_any_step_of_the_switch_leaves_the_old_or_the_new_set(content, tmp_path,
                                                                         before, exchange):
    """SIGKILL at the 1st, 2nd… rename, link or removal of the publish step, until the build
    ends by itself: OUT/2021 is always the whole old set or the whole new one, and the next
    build sweeps what the killed one left. `folder`: the old set is a real folder, as an
    earlier version of the tool wrote it."""
    expected = {}
    pristine = tmp_path / "pristine"  # the old set, copied afresh before each kill
    for tag, out in (("old", pristine), ("new", tmp_path / "new")):
        run = _child(content.folder, out, tag)
        assert run.returncode == 0, run.stderr
        expected[tag] = _files(out / "2021")
    assert len(expected["old"]) == 50 and expected["old"].keys() == expected["new"].keys()
    if before == "folder":  # the published set as a real folder
        real = (pristine / "2021").resolve()
        (pristine / "2021").unlink()
        real.rename(pristine / "2021")
    out = tmp_path / "OUT"
    outcomes = []
    for kill_at in range(1, 20):
        subprocess.run(["rm", "-rf", str(out)], check=True)
        subprocess.run(["cp", "-a", str(pristine), str(out)], check=True)
        run = _child(content.folder, out, "new", kill_at, exchange)
        now = _files(out / "2021")
        if not now and not exchange:
            # two renames: between them OUT/2021 is missing, and the old set waits in
            # OUT/.builds/2021-moved-*, which the next build puts back before anything else
            (moved,) = (out / ".builds").glob("2021-moved-*")
            assert _files(moved) == expected["old"]
            notice.publish.sweep(out)
            now = _files(out / "2021")
        assert now in (expected["old"], expected["new"]), f"kill at {kill_at}: a mixed set"
        outcomes.append((run.stderr.strip() or "end", "new" if now == expected["new"]
                         else "old"))
        notice.publish.sweep(out)  # what the next build does first, under the lock
        assert _files(out / "2021") == now
        if (out / "2021").is_symlink():
            _swept(out)
        if run.returncode == 0:
            break
    assert outcomes[-1] == ("end", "new")
    assert outcomes[0][1] == "old" and len(outcomes) >= 3, outcomes
    print(before, "exchange" if exchange else "two renames", outcomes)


def test_a_fault_or_ctrl_c_at_the_switch_leaves_the_old_set(fake, monkeypatch):
    assert fake(tag="old").exit_code == 0
    old = _files(Path("OUT/2021"))
    real = os.replace
    for fault, status in ((PermissionError(13, "Permission denied"), 3),
                          (KeyboardInterrupt(), 130)):
        def failing(source, target, fault=fault):
            if Path(target).name == "2021":
                raise fault
            return real(source, target)

        monkeypatch.setattr(os, "replace", failing)
        result = fake(tag="new")
        assert result.exit_code == status, result.output
        assert _files(Path("OUT/2021")) == old
        _swept(Path("OUT"))
    monkeypatch.setattr(os, "replace", real)
    assert fake(tag="new").exit_code == 0
    assert _files(Path("OUT/2021")) != old


def test_a_disk_without_links_gets_the_set_by_renames(fake, monkeypatch):
    """FAT or a share that refuses symbolic links: OUT/2021 is a plain folder, swapped by two
    renames; nothing is left in OUT/.builds."""
    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", no_links)
    assert fake(tag="old").exit_code == 0
    old = _files(Path("OUT/2021"))
    result = fake(tag="new")
    assert result.exit_code == 0, result.output
    assert Path("OUT/2021").is_dir() and not Path("OUT/2021").is_symlink()
    new = _files(Path("OUT/2021"))
    assert new.keys() == old.keys() and new != old
    assert not Path("OUT/.builds").exists()


def test_leftovers_of_a_killed_build_are_swept_by_the_next(fake):
    assert fake().exit_code == 0
    out = Path("OUT")
    (out / ".builds" / "2021-killed" / "sheets").mkdir(parents=True)
    (out / ".builds" / "2021-killed" / "sheets" / "x.pdf").write_bytes(b"%PDF half")
    os.symlink(".builds/2021-killed", out / ".2021.next-dead")
    (out / ".cache" / "ab").mkdir(parents=True)
    (out / ".cache" / "ab" / ".x.pdf.1234.part").write_bytes(b"half")
    assert fake().exit_code == 0
    _swept(out)


# -- what the set holds --------------------------------------------------------------------------

def test_no_stale_letter_is_left_when_units_move_or_lose_their_work(fake, content):
    assert fake().exit_code == 0
    before = sorted(p.name for p in Path("OUT/2021/sheets").iterdir())
    (Path("OUT/2021").resolve() / "sheets" / "old-letter.pdf").write_bytes(b"%PDF stray")
    # a unit added at the top of units.yaml: every later unit's position moves
    content.edit("units.yaml", "  - 市生态环境局\n", "  - 新单位\n  - 市生态环境局\n")
    assert fake().exit_code == 0
    assert sorted(p.name for p in Path("OUT/2021/sheets").iterdir()) == before
    # a unit that loses its last assignment loses its letter
    content.edit("checklist.yaml", "              - 市气象局\n", "")
    assert "市气象局" not in content.text("checklist.yaml"), "the unit still has work"
    assert fake().exit_code == 0
    after = sorted(p.name for p in Path("OUT/2021/sheets").iterdir())
    assert after == [n for n in before if not n.startswith("市气象局.")]
    assert len(after) == len(before) - 2
    manifest = json.loads(Path("OUT/2021/manifest.json").read_text(encoding="utf-8"))
    listed = sorted(entry["path"] for entry in manifest["files"])
    assert listed == sorted(str(p.relative_to("OUT/2021")) for p in Path("OUT/2021").rglob("*")
                            if p.is_file() and p.name != "manifest.json")


def test_a_build_of_some_letters_keeps_the_rest_of_the_set(fake, content):
    assert fake(tag="first").exit_code == 0
    first = _files(Path("OUT/2021"))
    result = fake("--unit", "市林业局", tag="second")
    assert result.exit_code == 0, result.output
    now = _files(Path("OUT/2021"))
    assert now.keys() == first.keys()
    changed = sorted(name for name in now if now[name] != first[name])
    assert changed == ["manifest.json", "sheets/市林业局.docx", "sheets/市林业局.pdf"]
    _swept(Path("OUT"))


def test_a_file_a_build_makes_again_the_same_is_linked_not_written(fake, content,
                                                                   monkeypatch):
    """Bytes already published are linked into the new set (no write, no wait for the disk);
    a file that changed is written."""
    assert fake(tag="first").exit_code == 0
    inodes = {p: (Path("OUT/2021") / p).stat().st_ino for p in _files(Path("OUT/2021"))}
    written = []
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: written.append(fd) or real(fd, *a,
                                                                                   **k))
    result = fake("--unit", "市林业局", tag="second")
    assert result.exit_code == 0, result.output
    now = {p: (Path("OUT/2021") / p).stat().st_ino for p in _files(Path("OUT/2021"))}
    changed = sorted(p for p in now if now[p] != inodes[p])
    assert changed == ["manifest.json", "sheets/市林业局.docx", "sheets/市林业局.pdf"]
    assert len(written) == 3  # the two letters' files and the manifest, nothing else
    _swept(Path("OUT"))
    # the same build again: every file is the one published (the manifest too)
    inodes = now
    assert fake("--unit", "市林业局", tag="second").exit_code == 0
    assert {p: (Path("OUT/2021") / p).stat().st_ino for p in _files(Path("OUT/2021"))} == inodes


# -- one build at a time --------------------------------------------------------------------------

def test_a_second_build_waits_for_the_lock_then_says_it_is_busy(fake):
    Path("OUT").mkdir()
    with open("OUT/.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = fake("--wait", "0.3")
    assert result.exit_code == 5
    assert result.stderr.splitlines() == [
        "another build into this output folder is running; waiting for it to finish…",
        "Error: another build into OUT is still running (it holds OUT/.lock); waited 0.3 s; "
        "try again when it has finished"]
    assert not Path("OUT/2021").exists()
    assert fake("--wait", "0").exit_code == 0


# -- temporary folders ----------------------------------------------------------------------------

def test_a_real_build_leaves_its_temporary_folder_empty(content, tmp_path):
    """WeasyPrint's font folders (one a font configuration, in every worker) are removed
    when the build ends; a killed build's private folder is removed by the next build."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = tmp / "notice-999999999-abcd"  # a build that was killed: its process is gone
    (dead / "weasyprint-x").mkdir(parents=True)
    (dead / "weasyprint-x" / "font").write_bytes(b"x" * 1000)
    environment = dict(os.environ, TMPDIR=str(tmp))
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--content", str(content.folder),
             "--out", str(tmp_path / "OUT"), "--jobs", "2", "--no-cache", "--unit", "市林业局",
             "--unit", "市财政局"], env=environment, capture_output=True, text=True,
            timeout=300)
        assert run.returncode == 0, run.stderr
        assert list(tmp.iterdir()) == []


def test_the_private_temporary_folder_holds_the_font_folders(tmp_path, monkeypatch):
    """The folder the test above finds empty is where WeasyPrint puts its fonts."""
    from notice.fonts import resolve_fonts
    from notice.pdf import _stylesheet, render_pdf
    from notice.tempdirs import private_tempdir

    fonts = resolve_fonts()
    face = fonts.font_faces()[0]
    css = f'@font-face {{ font-family: f; src: url("{face.url}") }} p {{ font-family: f }}'
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with private_tempdir() as folder:
        render_pdf("<p>字</p>", css, fonts)
        config, _sheet = _stylesheet(css, frozenset([face.url]))
        assert Path(config._folder).parent == folder and any(Path(config._folder).iterdir())
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


# -- the cache proves itself ----------------------------------------------------------------------

def test_a_damaged_cache_entry_is_laid_out_again_not_published(content, monkeypatch):
    """Three entries damaged three ways (truncated, emptied, its recorded hash gone): those
    three documents are laid out again, and every file is as a fresh build makes it."""
    rendered = []

    def fake_pdf(html, css, fonts, **options):
        rendered.append(len(html))
        return f"%PDF {len(html)} ".encode() * 50

    monkeypatch.setattr(notice.pdf, "render_pdf", fake_pdf)
    monkeypatch.setattr(notice.docx, "render_docx",
                        lambda html, context: f"DOCX {len(html)}".encode())

    def build():
        rendered.clear()
        result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                           "--jobs", "1"])
        assert result.exit_code == 0, result.output
        return _files(Path("OUT/2021"))

    fresh = build()
    assert len(rendered) == 24 and build() == fresh and rendered == []
    entries = sorted(Path("OUT/.cache").rglob("*.pdf"))
    assert len(entries) == 24
    entries[3].write_bytes(entries[3].read_bytes()[:100])
    entries[5].write_bytes(b"")
    entries[7].with_name(entries[7].name + ".sha256").unlink()
    assert build() == fresh
    assert len(rendered) == 3
    manifest = json.loads(fresh["manifest.json"])
    assert all(hashlib.sha256(fresh[e["path"]]).hexdigest() == e["sha256"]
               for e in manifest["files"])


# -- workers end with the build -------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_workers_die_silently_with_a_killed_build(content, tmp_path):
    """kill -9 of the build (or a closed terminal) ends its workers too: no worker keeps the
    machine busy, none prints a BrokenPipe traceback, and the published set is untouched."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--content", str(content.folder),
         "--out", str(tmp_path / "OUT"), "--jobs", "2", "--no-cache"],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(workers := _children(process.pid)) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no workers"
        time.sleep(0.02)
    time.sleep(0.5)  # the workers are laying documents out
    os.kill(process.pid, signal.SIGKILL)
    # the workers hold the same stdout and stderr: both end only when every worker has ended
    out, err = process.communicate(timeout=30)
    assert err == "" and "Traceback" not in out
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived the build"
        time.sleep(0.05)
    assert not (tmp_path / "OUT" / "2021").exists()


def test_letters_named_by_an_earlier_version_are_replaced_not_doubled(fake):
    """A set an earlier version of the tool wrote (a plain folder, letters numbered by
    position): `--unit` replaces that unit's numbered letter with the new name, a full build
    renames them all."""
    assert fake().exit_code == 0
    real = Path("OUT/2021").resolve()
    Path("OUT/2021").unlink()
    real.rename("OUT/2021")
    manifest_path = Path("OUT/2021/manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for n, entry in enumerate(e for e in manifest["files"] if e["path"].startswith("sheets/")):
        old = f"sheets/{n // 2:03d}-{entry['path'].removeprefix('sheets/')}"
        Path("OUT/2021", entry["path"]).rename(Path("OUT/2021", old))
        entry["path"] = old
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    result = fake("--unit", "市林业局")
    assert result.exit_code == 0, result.output
    letters = sorted(p.name for p in Path("OUT/2021/sheets").iterdir())
    assert [n for n in letters if "市林业局" in n] == ["市林业局.docx", "市林业局.pdf"]
    assert len(letters) == 46
    assert fake().exit_code == 0
    assert not [n for n in Path("OUT/2021/sheets").iterdir() if n.name[:3].isdigit()]
    _swept(Path("OUT"))


def test_programs_started_during_a_build_use_its_temporary_folder(tmp_path, monkeypatch):
    """ctypes.util.find_library runs gcc and ld, which write into $TMPDIR: a build killed
    meanwhile left their files behind, outside any folder a later build removes."""
    from notice.tempdirs import private_tempdir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with private_tempdir() as folder:
        seen = subprocess.run([sys.executable, "-c", "import tempfile; print(tempfile."
                               "gettempdir())"], capture_output=True, text=True).stdout.strip()
        assert seen == str(folder)
    assert os.environ["TMPDIR"] == str(tmp_path) and list(tmp_path.iterdir()) == []

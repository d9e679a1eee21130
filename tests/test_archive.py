"""The archive: one version per state of the content, all or nothing, under a lock, read-only,
verified hash by hash, reproducible byte for byte, and PDF/A-2b."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pikepdf
import pytest
from click.testing import Result
from helpers import REPO, SMALL, run, takes_ctrl_c

import notice.build
from notice.fonts import resolve_fonts

pytestmark = pytest.mark.slow

# The archive is tested on the small fixture year (another office's 2023): what is tested is
# versions, hashes, locks and PDF/A, not the layout (the 2021 content's tests see to that).
FILES = 14  # 4 PDFs (the notice, 3 letters), 4 DOCX, the XLSX and 5 content files
DOC_NUMBER = "青河长办发〔2023〕7号"
STAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}"


def archive(content: Path, out: Path, *args: str) -> Result:
    return run("archive", "--content", str(content), "--out", str(out), "--jobs", "2", *args)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file and folder under `folder`: its mode, and a file's bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        data = path.read_bytes() if path.is_file() else b""
        found[str(path.relative_to(folder))] = (path.stat().st_mode, data)
    return found


def leftovers(year: Path) -> list[str]:
    return sorted(p.name for p in year.iterdir() if p.name.startswith(".tmp-"))


def versions(year: Path) -> list[str]:
    return sorted(p.name for p in year.iterdir() if not p.name.startswith("."))


@dataclass
class History:
    content: Path  # content/2023 as it stands after the change
    out: Path
    key: Path  # the office's private key (v002 is signed with it); key.pub beside it
    first: Result  # the first archive
    again: Result  # the same content again
    second: Result  # after indicator 13's target changed

    @property
    def year(self) -> Path:
        return self.out / "archive" / "2023"


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    """Archive the year twice, change a target, and archive it again."""
    root = tmp_path_factory.mktemp("history")
    content = root / "content" / "2023"
    shutil.copytree(SMALL, content)
    out = root / "out"
    first = archive(content, out)
    again = archive(content, out)
    edit(content / "checklist.yaml",
         '            name: 县控断面水质达标率\n            target: "≥95%"',
         '            name: 县控断面水质达标率\n            target: "≥96%"')
    key = root / "keys" / "office.key"
    made = run("archive", "keygen", str(key))
    assert made.exit_code == 0, made.output
    second = archive(content, out, "--key", str(key))
    return History(content, out, key, first, again, second)


@pytest.fixture
def copy(history, tmp_path) -> Path:
    """A copy of the history's output folder, to damage; returns its archive/2023."""
    shutil.copytree(history.out, tmp_path / "out", symlinks=True)
    return tmp_path / "out" / "archive" / "2023"


@pytest.fixture
def next_content(history, tmp_path) -> Path:
    """Content that differs from every archived version (indicator 2's target changed)."""
    folder = tmp_path / "content" / "2023"
    shutil.copytree(history.content, folder)
    edit(folder / "checklist.yaml",
         '            name: 入河排污口整治完成率\n            target: "≥90%"',
         '            name: 入河排污口整治完成率\n            target: "≥91%"')
    return folder


# -- versions ---------------------------------------------------------------------------------

def test_the_first_archive_is_v001(history):
    assert history.first.exit_code == 0, history.first.output
    assert history.first.stdout == (f"archived 2023 as v001 in {history.year / 'v001'} "
                                    f"({FILES} files, read-only)\n")


def test_archiving_the_same_content_adds_nothing(history):
    assert history.again.exit_code == 0, history.again.output
    assert history.again.stdout == (f"already archived: 2023 as it stands is v001 "
                                    f"({history.year / 'v001'}); nothing was added\n")


def test_changed_content_becomes_v002(history):
    assert history.second.exit_code == 0, history.second.output
    assert history.second.stdout == (f"archived 2023 as v002 in {history.year / 'v002'} "
                                     f"({FILES} files, read-only, signed)\n")
    assert versions(history.year) == ["v001", "v002"]
    assert leftovers(history.year) == []


def test_an_older_state_names_its_version(history, tmp_path):
    folder = tmp_path / "2023"
    shutil.copytree(SMALL, folder)
    before = snapshot(history.year)
    result = archive(folder, history.out)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"already archived: 2023 as it stands is v001 "
                             f"({history.year / 'v001'}); the latest version is v002; nothing "
                             "was added\n")
    assert snapshot(history.year) == before


def test_a_changed_asset_is_a_new_version_holding_it(tmp_path):
    content = tmp_path / "content" / "2023"
    shutil.copytree(SMALL, content)
    out = tmp_path / "out"
    year = out / "archive" / "2023"
    seal = content / "assets" / "seal.png"
    seal.parent.mkdir()
    seal.write_bytes(b"\x89PNG first seal")
    assert archive(content, out).stdout.startswith("archived 2023 as v001 ")
    assert archive(content, out).stdout.startswith("already archived: 2023 as it stands is v001 ")
    seal.write_bytes(b"\x89PNG second seal")
    assert archive(content, out).stdout.startswith("archived 2023 as v002 ")
    assert (year / "v002/content/assets/seal.png").read_bytes() == b"\x89PNG second seal"
    manifest = json.loads((year / "v002/manifest.json").read_text(encoding="utf-8"))
    assert [c["path"] for c in manifest["sources"]["content"]] == [
        "notice.yaml", "workpoints.yaml", "checklist.yaml", "units.yaml", "sheets.yaml",
        "assets/seal.png"]
    assert "content/assets/seal.png" in {f["path"] for f in manifest["files"]}


def test_a_version_holds_the_documents_and_the_content_it_came_from(history):
    for name, checklist in (("v001", SMALL / "checklist.yaml"),
                            ("v002", history.content / "checklist.yaml")):
        folder = history.year / name
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        # and manifest.json, and the signature of v002 (archived with the office's key)
        assert len(files) == FILES + (2 if name == "v002" else 1)
        assert (folder / "content/checklist.yaml").read_bytes() == checklist.read_bytes()
        for other in ("notice.yaml", "workpoints.yaml", "units.yaml", "sheets.yaml"):
            assert (folder / "content" / other).read_bytes() == \
                (SMALL / other).read_bytes()
        suffixes = [Path(f).suffix for f in files]
        assert (suffixes.count(".pdf"), suffixes.count(".docx"), suffixes.count(".xlsx"),
                suffixes.count(".yaml")) == (4, 4, 1, 5)


def test_archived_files_are_read_only(history):
    for name in ("v001", "v002"):
        for path in [history.year / name, *(history.year / name).rglob("*")]:
            mode = path.stat().st_mode & 0o777
            assert mode == (0o555 if path.is_dir() else 0o444), (path, oct(mode))


def test_the_manifest_lists_files_content_fonts_and_versions(history):
    manifest = json.loads((history.year / "v002/manifest.json").read_text(encoding="utf-8"))
    assert (manifest["year"], manifest["version"], manifest["doc_number"],
            manifest["pdf_variant"]) == (2023, "v002", DOC_NUMBER, "pdf/a-2b")
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+00:00", manifest["archived_at"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["fingerprint"])
    files = {f["path"]: f for f in manifest["files"]}
    assert len(files) == FILES
    for path, entry in files.items():
        data = (history.year / "v002" / path).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == __import__("hashlib").sha256(data).hexdigest()
    assert files["notice.pdf"]["kind"] == "notice"
    assert files["responsibilities.xlsx"]["kind"] == "matrix"
    assert files["sheets/县水务局.pdf"]["unit"] == "县水务局"
    # the archival formats of the writers' table are in the archive's PDF variant
    assert files["sheets/县水务局.pdf"]["variant"] == "pdf/a-2b"
    assert "variant" not in files["sheets/县水务局.docx"]
    assert files["content/checklist.yaml"]["kind"] == "content"
    sources = manifest["sources"]
    assert [c["path"] for c in sources["content"]] == [
        "notice.yaml", "workpoints.yaml", "checklist.yaml", "units.yaml", "sheets.yaml"]
    assert sources["content"][2]["sha256"] == files["content/checklist.yaml"]["sha256"]
    assert [f["path"] for f in sources["fonts"]] == resolve_fonts().files()
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in sources["fonts"])
    libraries = sources["libraries"]
    for name in ("weasyprint", "pydyf", "python-docx", "openpyxl", "fonttools", "jinja2"):
        assert libraries[name] == metadata.version(name)
    assert libraries["python"] == ".".join(map(str, sys.version_info[:3]))
    assert sources["tool"]["name"] == "notice"
    assert sources["tool"]["version"] == metadata.version("notice")


def test_list_shows_dates_and_what_changed(history):
    result = run("archive", "list", "--out", str(history.out))
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert out[0] == f"{history.year}: 2 versions"
    assert re.fullmatch(f"v001  {STAMP}  {DOC_NUMBER}  {FILES} files", out[1])
    assert re.fullmatch(f"v002  {STAMP}  {DOC_NUMBER}  {FILES} files", out[3])
    assert [out[2]] + out[4:] == [
        "      first version",
        "      content changed: checklist.yaml",
        "      indicators: 0 added, 0 removed, 1 changed (1)",
        "      units: 0 gaining work, 0 losing work, 0 changing role",
    ]


def test_verify_finds_every_version_intact(history):
    result = run("archive", "verify", "--out", str(history.out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"v001: intact ({FILES} files)", f"v002: intact ({FILES} files, signed)",
        "signatures were checked with the keys the manifests name; give the office's public "
        "key (--key FILE or NOTICE_KEY) to check they are the office's"]
    public = history.key.with_name("office.key.pub")
    for key in (public, history.key):
        result = run("archive", "verify", "--out", str(history.out), "--key", str(key))
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [f"v001: intact ({FILES} files)",
                                              f"v002: intact ({FILES} files, signed)"]


# -- verify catches damage --------------------------------------------------------------------

def test_verify_names_an_altered_file(copy):
    pdf = copy / "v001" / "notice.pdf"
    pdf.chmod(0o644)
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    pdf.chmod(0o444)
    result = run("archive", "verify", "--out", str(copy.parent.parent))
    assert result.exit_code == 4
    assert result.stdout.splitlines()[:3] == ["v001: 1 file does not match the manifest",
                                              "  altered: notice.pdf",
                                              f"v002: intact ({FILES} files, signed)"]
    assert result.stderr.splitlines() == [
        "Error: 1 of 2 versions of 2023 do not match their manifests: v001"]
    one = run("archive", "verify", "v001", "--out", str(copy.parent.parent))
    assert one.exit_code == 4
    assert one.stdout.splitlines() == ["v001: 1 file does not match the manifest",
                                       "  altered: notice.pdf"]


def test_verify_names_missing_and_added_files(copy):
    sheets = copy / "v002" / "sheets"
    sheets.chmod(0o755)
    (sheets / "县水务局.docx").unlink()
    (copy / "v002").chmod(0o755)
    (copy / "v002" / "notes.txt").write_text("added later\n", encoding="utf-8")
    for path in (sheets, copy / "v002"):
        path.chmod(0o555)
    (copy / "v002" / "notes.txt").chmod(0o444)
    result = run("archive", "verify", "v002", "--out", str(copy.parent.parent))
    assert result.exit_code == 4
    assert result.stdout.splitlines() == ["v002: 2 files do not match the manifest",
                                          "  missing: sheets/县水务局.docx",
                                          "  added: notes.txt"]
    assert result.stderr.splitlines() == [
        "Error: 1 of 1 versions of 2023 do not match their manifests: v002"]


def test_verify_without_a_manifest(copy):
    (copy / "v001").chmod(0o755)
    (copy / "v001" / "manifest.json").unlink()
    (copy / "v001").chmod(0o555)
    result = run("archive", "verify", "--out", str(copy.parent.parent))
    assert result.exit_code == 4
    assert result.stdout.splitlines()[:3] == [
        "v001: manifest.json is missing or unreadable",
        "v002: not as it was archived",
        "  the manifest of v001, the version before it, cannot be read"]


def test_verify_an_unknown_version(history):
    result = run("archive", "verify", "v009", "--out", str(history.out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {history.year / 'v009'} does not exist; the archive of 2023 holds v001–v002"]


def test_list_without_an_archive(tmp_path):
    result = run("archive", "list", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: nothing is archived under {tmp_path / 'archive'} yet"]


# -- the archive proves itself: every tampering exits 4 ------------------------------------------

def _writable(*paths: Path) -> None:
    for path in paths:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _sealed(*paths: Path) -> None:
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _rewrite_manifest(version: Path, change) -> None:
    """Edit a version's manifest as a forger would: valid JSON, modes put back."""
    path = version / "manifest.json"
    _writable(version, path)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    _sealed(path, version)


def _edit_file_and_entry(version: Path, relative: str) -> None:
    """Change a file and put its new size and SHA-256 in the manifest."""
    file = version / relative
    _writable(file)
    data = file.read_bytes() + b"%% forged\n"
    file.write_bytes(data)
    _sealed(file)

    def change(manifest):
        for entry in manifest["files"]:
            if entry["path"] == relative:
                entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())

    _rewrite_manifest(version, change)


def _delete_file_and_entry(version: Path, relative: str) -> None:
    folder = (version / relative).parent
    _writable(folder)
    (version / relative).unlink()
    _sealed(folder)
    _rewrite_manifest(version, lambda m: m.update(
        files=[e for e in m["files"] if e["path"] != relative]))


def _swap(year: Path) -> None:
    _writable(year / "v001", year / "v002")
    (year / "v001").rename(year / "v000")
    (year / "v002").rename(year / "v001")
    (year / "v000").rename(year / "v002")
    _sealed(year / "v001", year / "v002")


def _delete_v001_rename_v002(year: Path) -> None:
    for folder, _dirs, _names in os.walk(year / "v001"):
        os.chmod(folder, 0o755)
    shutil.rmtree(year / "v001")
    (year / "v002").rename(year / "v001")


def _delete_v001(year: Path) -> None:
    for folder, _dirs, _names in os.walk(year / "v001"):
        os.chmod(folder, 0o755)
    shutil.rmtree(year / "v001")


def _empty_folder(year: Path) -> None:
    _writable(year / "v002")
    (year / "v002" / "extra").mkdir(mode=0o555)
    _sealed(year / "v002")


TAMPERINGS = {
    "file and entry edited (v001)": (lambda y: _edit_file_and_entry(y / "v001", "notice.pdf"),
                                     "v002: not as it was archived"),
    "file and entry edited (v002, signed)": (
        lambda y: _edit_file_and_entry(y / "v002", "notice.pdf"),
        "  the signature does not match manifest.json (changed after it was signed)"),
    "letter and entry deleted (v001)": (
        lambda y: _delete_file_and_entry(y / "v001", "sheets/县水务局.pdf"),
        "  sheets/县水务局.pdf: the archived content calls for it, but the manifest does not "
        "list it"),
    "v001 and v002 swapped": (_swap, "  manifest.json is that of v002, not of v001 (versions "
                                     "renamed or swapped)"),
    "v001 deleted, v002 renamed": (_delete_v001_rename_v002, "  manifest.json is that of "
                                   "v002, not of v001 (versions renamed or swapped)"),
    "v001 deleted": (_delete_v001, "2023: v001 is missing (versions are numbered from v001 "
                                   "without a gap)"),
    "empty folder added": (_empty_folder, "  added: extra/"),
    "folder added to the year": (lambda y: (y / "v002-copy").mkdir(),
                                 "2023: v002-copy: not a version (added to the archive)"),
    "file made writable": (lambda y: _writable(y / "v001" / "notice.docx"),
                           "  writable, though archived versions are read-only: notice.docx"),
    "version made writable": (lambda y: _writable(y / "v002"),
                              "  writable, though archived versions are read-only: ."),
    "signature removed": (lambda y: (_writable(y / "v002"), (y / "v002" /
                                                             "manifest.json.sig").unlink()),
                          "  manifest.json names the key that signed it, but "
                          "manifest.json.sig is missing"),
    "malformed manifest": (lambda y: _truncate(y / "v001" / "manifest.json"),
                           "  v001/manifest.json:3:3: not JSON: Expecting property name "
                           "enclosed in double quotes"),
    "manifest of another shape": (lambda y: _rewrite_manifest(y / "v002", lambda m: m.update(
        files=[{"path": "../x", "size": -1, "sha256": "no"}])),
        "  v002/manifest.json: files[0]: path: \"../x\" is not a file's path in the version"),
}


def _truncate(path: Path) -> None:
    _writable(path.parent, path)
    path.write_text("{\n  \"format\": 2,\n  ", encoding="utf-8")
    _sealed(path, path.parent)


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_every_tampering_exits_4_and_says_where(copy, name):
    tamper, line = TAMPERINGS[name]
    tamper(copy)
    result = run("archive", "verify", "--out", str(copy.parent.parent))
    assert result.exit_code == 4, result.output
    assert line in result.stdout.splitlines(), result.stdout
    assert "Traceback" not in result.output and "internal error" not in result.output
    listed = run("archive", "list", "--out", str(copy.parent.parent))
    assert listed.exit_code == 0, listed.output


def test_a_forger_with_a_key_of_their_own_is_caught_by_the_offices_key(history, copy,
                                                                       tmp_path):
    from notice import signing

    forger = signing.private_key(signing.generate(tmp_path / "forger.key")[0])
    _edit_file_and_entry(copy / "v002", "notice.pdf")

    def resign(manifest):
        manifest["signed_by"] = signing.key_id(forger.public_key())

    _rewrite_manifest(copy / "v002", resign)
    sig = copy / "v002" / "manifest.json.sig"
    _writable(copy / "v002", sig)
    sig.write_bytes(signing.sign(forger, (copy / "v002" / "manifest.json").read_bytes()))
    _sealed(sig, copy / "v002")
    out = str(copy.parent.parent)
    unchecked = run("archive", "verify", "v002", "--out", out)
    assert unchecked.exit_code == 0  # a signature that holds, by a key nobody vouched for
    assert unchecked.stdout.splitlines()[-1].startswith("signatures were checked with the keys "
                                                        "the manifests name")
    public = history.key.with_name("office.key.pub")
    result = run("archive", "verify", "v002", "--out", out, "--key", str(public))
    assert result.exit_code == 4
    assert result.stdout.splitlines() == ["v002: not as it was archived",
                                          "  signed with another key than the one given"]


def test_archive_verifies_the_latest_version_before_saying_already_archived(history, copy):
    pdf = copy / "v002" / "sheets" / "县水务局.pdf"
    _writable(pdf)
    pdf.write_bytes(pdf.read_bytes()[:1000])
    _sealed(pdf)
    before = snapshot(copy)
    result = archive(history.content, copy.parent.parent)
    assert result.exit_code == 4, result.output
    assert result.stderr.splitlines() == [
        f"Error: {copy / 'v002'} no longer matches what was archived (altered: "
        "sheets/县水务局.pdf); nothing was added; run: archive verify"]
    assert snapshot(copy) == before


def _as_format_1(manifest: dict) -> None:
    """A manifest as the tool wrote it before the chain and signatures."""
    manifest["format"] = 1
    manifest.pop("previous", None)
    manifest.pop("signed_by", None)


def test_versions_archived_before_the_chain_still_verify(copy):
    _writable(copy / "v002")
    (copy / "v002" / "manifest.json.sig").unlink()
    for name in ("v001", "v002"):
        _rewrite_manifest(copy / name, _as_format_1)
    result = run("archive", "verify", "--out", str(copy.parent.parent))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"v001: intact ({FILES} files)", f"v002: intact ({FILES} files)",
        "v002 is not signed: the versions before it are proven by the chain, but its own files "
        "and manifest could have been changed together; sign new versions with the office's "
        "key (archive --key), or check it with archive verify --rebuild"]


def test_a_manifest_turned_back_into_the_older_format_is_caught(copy):
    _writable(copy / "v002")
    (copy / "v002" / "manifest.json.sig").unlink()
    _rewrite_manifest(copy / "v002", _as_format_1)
    result = run("archive", "verify", "--out", str(copy.parent.parent))
    assert result.exit_code == 4
    assert result.stdout.splitlines()[1:] == [
        "v002: not as it was archived",
        "  manifest.json is of format 1, after a version of format 2 (a manifest was replaced "
        "by an older kind)"]


def test_rebuild_finds_a_document_forged_with_its_entry_in_an_unsigned_version(copy):
    """No key: the latest version's letter and its manifest entry changed together, its
    signature stripped. Building the content copy again shows the letter is not what it
    makes; every other document is (they are not named)."""
    _writable(copy / "v002")
    (copy / "v002" / "manifest.json.sig").unlink()
    _rewrite_manifest(copy / "v002", lambda m: m.pop("signed_by"))
    out = str(copy.parent.parent)
    manifest = json.loads((copy / "v002" / "manifest.json").read_text(encoding="utf-8"))
    letter = next(e["path"] for e in manifest["files"]
                  if e.get("kind") == "sheet" and e["path"].endswith(".pdf"))
    _edit_file_and_entry(copy / "v002", letter)
    plain = run("archive", "verify", "v002", "--out", out)
    assert plain.exit_code == 0  # the manifest agrees with the forged file
    result = run("archive", "verify", "v002", "--out", out, "--rebuild")
    assert result.exit_code == 4, result.output
    assert result.stdout.splitlines() == [
        "v002: not as it was archived",
        f"  {letter}: not what the content copy makes (built again and compared)"]


def test_keygen_never_overwrites_a_key(history):
    before = history.key.read_bytes()
    result = run("archive", "keygen", str(history.key))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {history.key} already exists; it was left as it was (choose another name, or "
        "remove it if it is really not needed)"]
    assert history.key.read_bytes() == before
    assert history.key.stat().st_mode & 0o777 == 0o600


def test_the_chain_names_the_manifest_before(history):
    first = history.year / "v001" / "manifest.json"
    second = json.loads((history.year / "v002" / "manifest.json").read_text(encoding="utf-8"))
    assert json.loads(first.read_text(encoding="utf-8"))["previous"] is None
    assert second["previous"] == dict(version="v001",
                                      sha256=hashlib.sha256(first.read_bytes()).hexdigest())


# -- all or nothing ---------------------------------------------------------------------------

@pytest.mark.parametrize("fault, status, message", [
    (OSError(28, "No space left on device"), 3, "Error: cannot write: No space left on device "
     "(unknown file)"),
    (KeyboardInterrupt(), 130, "Interrupted; nothing half-written was left behind."),
])
def test_a_crash_mid_archive_leaves_no_version(copy, next_content, monkeypatch, fault, status,
                                               message):
    real = notice.build.record
    written = []

    def failing(root, relative, *args, **kwargs):
        if len(written) == 5:
            assert sorted(p.name for p in copy.iterdir() if p.name.startswith(".tmp-"))
            raise fault
        written.append(relative)
        return real(root, relative, *args, **kwargs)

    monkeypatch.setattr(notice.build, "record", failing)
    before = snapshot(copy)
    result = archive(next_content, copy.parent.parent)
    assert result.exit_code == status, result.output
    assert result.stderr.splitlines() == [message]
    assert len(written) == 5
    assert leftovers(copy) == []
    assert snapshot(copy) == before  # v001 and v002 byte for byte, modes and all


def _start(content: Path, out: Path, cwd: Path, **env: str) -> subprocess.Popen:
    """`build.py archive` in a process group of its own, as a clerk's terminal would run it."""
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "archive", "--content", str(content),
         "--out", str(out), "--jobs", "2"],
        cwd=cwd, env={**os.environ, **env}, start_new_session=True, preexec_fn=takes_ctrl_c,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_documents(year: Path, process: subprocess.Popen) -> None:
    """Until the archive under way has written some letters into its temporary folder (staged
    under temporary names until the build puts the whole set in place)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(p.is_dir() and any((p / "sheets").glob(".*.pdf.*.part"))
               for p in year.glob(".tmp-*")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the archive never started writing")


def test_ctrl_c_mid_archive_leaves_no_version(copy, next_content, tmp_path):
    before = snapshot(copy)
    process = _start(next_content, copy.parent.parent, tmp_path)
    _wait_for_documents(copy, process)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1] == "Interrupted; nothing half-written was left behind."
    assert "Traceback" not in stderr
    assert leftovers(copy) == []
    assert snapshot(copy) == before


def test_a_killed_archive_is_cleaned_up_by_the_next(history, copy, next_content, tmp_path):
    before = snapshot(copy)
    process = _start(next_content, copy.parent.parent, tmp_path)
    _wait_for_documents(copy, process)
    os.killpg(process.pid, signal.SIGKILL)  # a power cut: no clean-up runs
    process.communicate(timeout=60)
    stale = leftovers(copy)
    assert len(stale) == 1
    assert versions(copy) == ["v001", "v002"]
    result = archive(history.content, copy.parent.parent)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"already archived: 2023 as it stands is v002 ({copy / 'v002'}); "
                             "nothing was added\n")
    assert leftovers(copy) == []
    assert snapshot(copy) == before


def test_a_sealed_leftover_is_removed(history, copy):
    stale = copy / ".tmp-crashed"
    (stale / "sheets").mkdir(parents=True)
    (stale / "sheets" / "x.pdf").write_bytes(b"%PDF-half")
    for path in (stale / "sheets" / "x.pdf", stale / "sheets", stale):
        path.chmod(0o444 if path.is_file() else 0o555)
    result = archive(history.content, copy.parent.parent)
    assert result.exit_code == 0, result.output
    assert leftovers(copy) == []


@pytest.mark.parametrize("name, old, new", [
    ("notice.yaml", "date: 2023-03-06", "date: 待填"),
    ("sheets.yaml", 'attachment: "{year}年度河湖管护任务表"',
     'attachment: "{yaer}年度河湖管护任务表"'),
])
def test_content_with_problems_archives_nothing(tmp_path, name, old, new):
    folder = tmp_path / "2023"
    shutil.copytree(SMALL, folder)
    edit(folder / name, old, new)
    result = archive(folder, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 problem in the content; nothing was written."
    assert not (tmp_path / "out").exists()


# -- two clerks at once -----------------------------------------------------------------------

def test_a_second_archiver_gives_up_after_its_wait(history, copy):
    with open(copy / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        result = archive(history.content, copy.parent.parent, "--wait", "0.5")
        waited = time.monotonic() - started
    assert result.exit_code == 5
    assert result.stderr.splitlines() == [
        "another archive of this year is running; waiting for it to finish…",
        f"Error: another archive of 2023 is still running (it holds {copy / '.lock'}); "
        "waited 0.5 s; try again when it has finished"]
    assert waited >= 0.5


@dataclass
class Pair:
    year: Path  # the two clerks' archive/2023
    results: list[tuple[str, str, int]]  # each clerk's stdout, stderr, exit status
    elsewhere: Path  # archive/2023 of a third archive of the same content, made elsewhere


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Pair:
    """Two clerks archiving the same content into one folder at the same moment, and a third
    archiving it in another folder, from another copy, in another time zone (the small
    fixture year: what is tested is the lock and the bytes, not the layout)."""
    root = tmp_path_factory.mktemp("pair")
    content = root / "their content" / "2023"
    shutil.copytree(SMALL, content)
    other = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(SMALL, other / "2023")
    processes = [_start(content, root / "shared", root, TZ="Asia/Shanghai"),
                 _start(content, root / "shared", root, TZ="Asia/Shanghai"),
                 _start(other / "2023", other / "out", other, TZ="America/New_York")]
    results = [p.communicate(timeout=600) + (p.returncode,) for p in processes]
    assert results[2][2] == 0, results[2]
    return Pair(root / "shared" / "archive" / "2023", results[:2],
                other / "out" / "archive" / "2023")


def test_two_clerks_at_once_make_one_version(pair):
    assert [code for _out, _err, code in pair.results] == [0, 0], pair.results
    outputs = sorted(out for out, _err, _code in pair.results)
    assert outputs == [
        f"already archived: 2023 as it stands is v001 ({pair.year / 'v001'}); nothing was "
        "added\n",
        f"archived 2023 as v001 in {pair.year / 'v001'} ({FILES} files, read-only)\n",
    ]
    waited = [err for out, err, _code in pair.results if out.startswith("already")]
    assert waited == ["another archive of this year is running; waiting for it to finish…\n"]
    assert versions(pair.year) == ["v001"]
    assert leftovers(pair.year) == []
    verified = run("archive", "verify", "--out", str(pair.year.parent.parent))
    assert verified.exit_code == 0, verified.output


def test_the_same_content_gives_the_same_bytes_elsewhere(pair):
    ours, theirs = pair.year / "v001", pair.elsewhere / "v001"
    manifests = [json.loads((folder / "manifest.json").read_text("utf-8"))
                 for folder in (ours, theirs)]
    assert manifests[0]["fingerprint"] == manifests[1]["fingerprint"], \
        "the tool's code changed between the two archives (edited during the test run?)"
    compared = 0
    for path in sorted(ours.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            relative = path.relative_to(ours)
            assert path.read_bytes() == (theirs / relative).read_bytes(), relative
            compared += 1
    assert compared == FILES


# -- PDF/A-2b ---------------------------------------------------------------------------------

def _fonts(pdf: pikepdf.Pdf):
    """(name, embedded) of every font the file uses; Type 3 fonts are drawn, not embedded."""
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        if obj.get("/Subtype") in ("/Type0", "/Type3"):
            continue  # a Type0's glyphs are in its descendant, listed on its own
        descriptor = obj.get("/FontDescriptor")
        embedded = descriptor is not None and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        yield str(obj.get("/BaseFont")), embedded


def test_archived_pdfs_are_pdf_a_2b(history):
    pdfs = sorted((history.year / "v001").rglob("*.pdf"))
    assert len(pdfs) == 4
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version == "1.7", path.name
            meta = pdf.open_metadata()
            assert meta.pdfa_status == "2B", path.name
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert meta["dc:title"] == str(pdf.docinfo["/Title"])
            assert meta["xmp:CreateDate"] == "2023-03-06T00:00:00+08:00"
            assert str(pdf.docinfo["/CreationDate"]) == "D:20230306000000+08'00"
            [intent] = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFA1"
            assert intent.DestOutputProfile.N == 3
            assert "sRGB" in str(intent.OutputConditionIdentifier)
            identifier = pdf.trailer.ID
            assert re.fullmatch(rb"[0-9a-f]{32}", bytes(identifier[0]))
            assert identifier[0] == identifier[1]  # made from the file's own bytes
            fonts = list(_fonts(pdf))
            assert len(fonts) >= 2, path.name
            assert [name for name, embedded in fonts if not embedded] == [], path.name

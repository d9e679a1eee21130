"""`build.py watch`: a save rebuilds what it changes, a bad save is reported located and the
watch goes on with the last set intact, Ctrl-C ends it cleanly. Run as a clerk runs it: the
command in a process of its own, files saved while it runs, SIGINT to stop it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pdfplumber
import pytest
from helpers import REPO, SMALL, ContentCopy, takes_ctrl_c

from notice.build import _render_sent

WAIT = 120  # seconds a build may take on a busy machine


class Watcher:
    """`build.py watch` running; its output lines read as they come."""

    def __init__(self, content, out):
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "watch", "--content", str(content),
             "--out", str(out), "--jobs", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=content.parent,
            preexec_fn=takes_ctrl_c)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(stream, name), daemon=True)
                        for stream, name in ((self.process.stdout, "out"),
                                             (self.process.stderr, "err"))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, name):
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def until(self, text: str) -> list[tuple[str, str]]:
        """The lines printed up to the first one holding `text`."""
        got, deadline = [], time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                item = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"watch ended: {got}"
                continue
            got.append(item)
            self.seen.append(item[1])
            if text in item[1]:
                return got
        raise AssertionError(f"no line with {text!r} after {WAIT} s: {got}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=WAIT)
        for reader in self.readers:  # they end at the end of the streams
            reader.join(timeout=WAIT)
        self.process.stdout.close()
        self.process.stderr.close()
        rest = ""
        while not self.lines.empty():
            rest += self.lines.get()[1] + "\n"
        return code, rest


def _pdf_text(path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", "")


def _save(copy: ContentCopy, name: str, old: str, new: str):
    """An edit saved as an editor saves it, with a later modification time."""
    spot = copy.edit(name, old, new)
    later = time.time() + 1
    os.utime(copy.path(name), (later, later))
    return spot


def test_a_save_rebuilds_a_bad_save_is_reported_and_ctrl_c_ends_cleanly(tmp_path):
    copy = ContentCopy(tmp_path, SMALL)
    out = tmp_path / "OUT"
    watcher = Watcher(copy.folder, out)
    try:
        first = watcher.until("watching")
        assert ("out", "laid out 4 of 4 documents; the rest were unchanged and came from the "
                "cache") in first
        notice = out / "2023" / "notice.pdf"
        assert "每季度末" in _pdf_text(notice)

        # a save: the notice is built again with the new words, the letters come from the cache
        _save(copy, "notice.yaml", "每季度末", "每月末")
        again = watcher.until("watching")
        assert any("laid out 1 of 4 documents" in line for _, line in again), again
        assert "每月末" in _pdf_text(notice)
        good = {p.name: p.read_bytes() for p in (out / "2023").rglob("*") if p.is_file()}

        # a bad save: the located message, nothing written, still watching
        spot = _save(copy, "notice.yaml", "date: 2023-03-06", "date: 2023-02-30")
        bad = watcher.until("save the file again once it is fixed")
        assert ("err", f"2023/notice.yaml:{spot.line}:{spot.column + 6}: date: "
                '"2023-02-30" is not a date that exists; check the month and the day') in bad
        assert ("err", "1 problem in the content; nothing was written.") in bad
        assert {p.name: p.read_bytes() for p in (out / "2023").rglob("*")
                if p.is_file()} == good

        # fixed: built again
        _save(copy, "notice.yaml", "date: 2023-02-30", "date: 2023-03-08")
        watcher.until("watching")
        assert "2023年3月8日" in _pdf_text(notice)
    finally:
        code, rest = watcher.stop()
    assert code == 0, rest
    assert "stopped watching; nothing half-written was left behind." in rest
    assert "Traceback" not in "\n".join(watcher.seen) + rest
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".part") or ".next-" in p.name]
    assert leftovers == []


def test_a_watchs_builds_keep_their_workers_and_write_what_a_build_writes(tmp_path, monkeypatch):
    """watch's builds (warm=True): the workers forked for the first are sent the next one's
    documents (none is laid out in the watch's own process); the files are a plain build's.
    They end with close_kept_workers (the watch's end)."""
    import notice.build
    from notice.tempdirs import private_tempdir

    laid = tmp_path / "laid-out-in"
    monkeypatch.setitem(_SPY, "file", laid)  # (read by the workers forked after this)
    monkeypatch.setattr(notice.build, "_render_sent", _noted_render_sent)
    copy = ContentCopy(tmp_path / "content", SMALL)
    try:
        with private_tempdir():  # (a watch's, for all its builds)
            notice.build.build(copy.folder, tmp_path / "watched", jobs=2, warm=True)
            first = set(laid.read_text().split())
            pool = notice.build._KEPT["pool"]
            copy.edit("checklist.yaml", "县生态环境局", "县农业农村局")
            laid.write_text("")
            notice.build.build(copy.folder, tmp_path / "watched", jobs=2, warm=True)
            second = set(laid.read_text().split())
            assert notice.build._KEPT["pool"] is pool
            workers = {str(process.pid) for process in pool._pool}
    finally:
        notice.build.close_kept_workers()
    assert notice.build._KEPT == {}
    assert first and second and first | second <= workers and str(os.getpid()) not in workers
    notice.build.build(copy.folder, tmp_path / "plain", jobs=2, use_cache=False)
    for made in sorted((tmp_path / "watched" / "2023").rglob("*.*")):
        if made.suffix in (".pdf", ".docx", ".xlsx"):
            plain = tmp_path / "plain" / "2023" / made.relative_to(tmp_path / "watched" / "2023")
            assert made.read_bytes() == plain.read_bytes(), made.name


_SPY: dict = {}  # "file": where _noted_render_sent notes its process


def _noted_render_sent(sent):
    """_render_sent, noting the process each task is rendered in (sent to the workers by
    name, as the real one is)."""
    with _SPY["file"].open("a") as file:
        file.write(f"{os.getpid()}\n")
    return _render_sent(sent)


def _watching(folder, poll: float):
    """notice.watch.watch over `folder` in a thread, its builds counted (they build nothing);
    (builds, stop) back."""
    from notice import watch

    builds, stopped = [], threading.Event()
    thread = threading.Thread(target=watch.watch, daemon=True, kwargs=dict(
        folder=folder, build=lambda: builds.append(time.perf_counter()),
        built=lambda result, seconds: None, failed=lambda error: None, poll=poll,
        stop=stopped.is_set))
    thread.start()
    while not builds:
        time.sleep(0.01)

    def stop():
        stopped.set()
        (folder / "woken").write_text("")  # (a watch told of changes looks at stop() then)
        thread.join(timeout=WAIT)
        assert not thread.is_alive()

    return builds, stop


def _saved_and_built(folder, builds) -> float:
    """Seconds from a save of notice.yaml to the build it starts."""
    notice = folder / "notice.yaml"
    start = time.perf_counter()
    notice.write_text(notice.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    deadline = start + 5
    while len(builds) < 2 and time.perf_counter() < deadline:
        time.sleep(0.002)
    return builds[1] - start if len(builds) > 1 else float("inf")


def _seconds_to_build_a_save(tmp_path, poll: float) -> float:
    """A watch over a copy of the small fixture: seconds from a save to its build."""
    copy = ContentCopy(tmp_path, SMALL)
    builds, stop = _watching(copy.folder, poll=poll)
    try:
        return _saved_and_built(copy.folder, builds)
    finally:
        stop()


def test_on_linux_a_save_is_built_as_soon_as_it_is_told(tmp_path):
    """The system tells of a save (inotify): it is built within QUIET of it, not at the next
    look at the files (here a minute away)."""
    from notice import watch

    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    assert _seconds_to_build_a_save(tmp_path, poll=60) < watch.QUIET + 1.0


def test_where_the_system_does_not_tell_the_files_are_polled(tmp_path, monkeypatch):
    from notice import watch

    monkeypatch.setattr(sys, "platform", "plan9")  # no inotify
    assert _seconds_to_build_a_save(tmp_path, poll=0.05) < watch.SETTLE + 2.0


def test_a_save_written_in_steps_is_built_once_it_is_whole(tmp_path):
    """An editor that writes a file in several writes (here 0.3 s apart): the system tells of
    the save when the file is closed, and it is built once, whole, not half-written first."""
    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    copy = ContentCopy(tmp_path, SMALL)
    notice = copy.folder / "notice.yaml"
    text = notice.read_text(encoding="utf-8").encode("utf-8") + b"\n"
    builds, stop = _watching(copy.folder, poll=60)  # (no look at the files but when told)
    try:
        with notice.open("wb") as file:
            file.write(text[:len(text) // 2])
            file.flush()
            time.sleep(0.3)
            file.write(text[len(text) // 2:])
        closed = time.perf_counter()
        time.sleep(1.0)
    finally:
        stop()
    assert len(builds) == 2 and builds[1] > closed  # the first build, then the whole save

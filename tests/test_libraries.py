"""Where the system's libraries are is asked once and kept in the user cache
(notice/libraries.py), for as long as the system's index of libraries is the same."""

import ctypes.util
import json
import os
import subprocess
import sys

from notice import libraries


def _asking(monkeypatch, tmp_path, answers: dict):
    """find_library as remembered, over a stand-in that counts the questions it is asked."""
    asked = []

    def ask(name):
        asked.append(name)
        return answers.get(name)

    index = tmp_path / "ld.so.cache"
    index.write_bytes(b"one")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(libraries, "_INDEX", str(index))
    monkeypatch.setattr(ctypes.util, "find_library", ask)
    libraries._FOUND.forget()
    libraries.remember_where_libraries_are()
    return asked, index


def test_each_library_is_asked_about_once_then_read_from_the_user_cache(tmp_path, monkeypatch):
    asked, index = _asking(monkeypatch, tmp_path, {"pango-1.0": "libpango-1.0.so.0"})
    find = ctypes.util.find_library
    assert [find("libpango-1.0-0"), find("pango-1.0"), find("pango-1.0")] == [
        None, "libpango-1.0.so.0", "libpango-1.0.so.0"]
    assert asked == ["libpango-1.0-0", "pango-1.0"]
    kept = json.loads((tmp_path / "cache" / "notice" / "libraries.json").read_text())
    assert list(kept.values()) == [{"libpango-1.0-0": None, "pango-1.0": "libpango-1.0.so.0"}]

    libraries._FOUND.forget()  # a new process: the answers, a missing one too, from the file
    assert [find("libpango-1.0-0"), find("pango-1.0")] == [None, "libpango-1.0.so.0"]
    assert asked == ["libpango-1.0-0", "pango-1.0"]

    # a library installed (the index rewritten): asked again
    index.write_bytes(b"two, longer")
    os.utime(index, ns=(1, 1))
    assert find("libpango-1.0-0") is None
    assert asked == ["libpango-1.0-0", "pango-1.0", "libpango-1.0-0"]


def test_another_library_path_is_another_system(tmp_path, monkeypatch):
    asked, _index = _asking(monkeypatch, tmp_path, {})
    ctypes.util.find_library("fontconfig")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    ctypes.util.find_library("fontconfig")
    assert asked == ["fontconfig", "fontconfig"]


def test_a_damaged_cache_file_is_asked_again(tmp_path, monkeypatch):
    asked, _index = _asking(monkeypatch, tmp_path, {"harfbuzz": "libharfbuzz.so.0"})
    kept = tmp_path / "cache" / "notice" / "libraries.json"
    kept.parent.mkdir(parents=True)
    kept.write_text(json.dumps({libraries._system(): {"harfbuzz": 7}}))
    libraries._FOUND.forget()
    assert ctypes.util.find_library("harfbuzz") == "libharfbuzz.so.0"
    assert asked == ["harfbuzz"]


def test_weasyprint_loads_its_libraries_from_the_remembered_answers(tmp_path):
    """A second process imports WeasyPrint without asking the system anything."""
    probe = ("import ctypes.util, notice, weasyprint; "
             "print(len(__import__('notice.libraries').libraries._FOUND._loaded()))")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                           text=True, check=True)
    assert first.stdout.strip() == "1"
    spy = ("import ctypes.util, subprocess; real = subprocess.Popen\n"
           "class Refused(real):\n"
           "    def __init__(self, *a, **k): raise AssertionError(f'ran {a[0]}')\n"
           "subprocess.Popen = Refused\n" + probe.replace("; ", "\n"))
    second = subprocess.run([sys.executable, "-c", spy], env=env, capture_output=True,
                            text=True)
    assert second.returncode == 0, second.stderr


def test_elsewhere_than_linux_nothing_is_remembered(tmp_path, monkeypatch):
    """No /etc/ld.so.cache to tell that a library was installed: asked each time."""
    asked = []
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: asked.append(name))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    libraries.remember_where_libraries_are()
    ctypes.util.find_library("pango-1.0")
    ctypes.util.find_library("pango-1.0")
    assert asked == ["pango-1.0", "pango-1.0"]
    assert not (tmp_path / "notice").exists()

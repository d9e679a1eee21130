"""Command line of the notice pipeline: python build.py --help."""

from notice.cli import entry

if __name__ == "__main__":
    entry()

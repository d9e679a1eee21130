"""Command line of the notice pipeline: python build.py --help."""

from notice.cli import main

if __name__ == "__main__":
    main()

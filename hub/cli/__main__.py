"""`python -m hub.cli …` runs the `hub` command (the console script does the same)."""

from hub.cli import run

run()

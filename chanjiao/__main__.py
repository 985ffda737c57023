"""`python -m chanjiao` runs the CLI."""

from chanjiao.cli import main

main()

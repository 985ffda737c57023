"""Every CLI command is documented in the README and has help text (as sqlite-utils does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = ["ingest", "gaps", "align course", "align position", "stats", "template", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_command_in_readme_with_help(command: str) -> None:
    assert f"chanjiao {command}" in README
    result = CliRunner().invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    first_line = result.stdout.split("\n\n")[1].strip()
    assert first_line, f"{command} has no help text"

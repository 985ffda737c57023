"""Every CLI command is documented in the README and has help text (as sqlite-utils does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    "ingest",
    "gaps",
    "align course",
    "align position",
    "stats",
    "template",
    "demo",
    "report",
    "viz cluster",
    "viz focus",
    "viz gap",
    "viz path",
    "plan cluster",
    "plan what-if",
    "plan resources",
    "plan path",
    "plan partners",
    "plan eligibility",
    "plan certificates",
    "serve",
    "export",
    "copy",
    "version save",
    "version list",
    "version compare",
    "log",
    "import onet",
    "import esco",
    "import case",
    "import osmt",
    "export case",
    "catalog search",
    "talent match",
    "talent profile",
    "talent cohort",
    "talent report",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_command_in_readme_with_help(command: str) -> None:
    assert f"chanjiao {command}" in README
    result = CliRunner().invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Usage")
    assert not lines[1].startswith(("╭", "Options")), f"{command} has no help text"
    assert any("一" <= ch <= "鿿" for ch in lines[1]), "help text is Chinese first"

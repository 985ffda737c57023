"""Every CLI command is documented in the README and has help text (as sqlite-utils does),
and every command the README shows runs verbatim after `make demo`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chanjiao.cli import app
from chanjiao.graph.schema import LEVEL_VARIANTS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
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


# --- every README command runs verbatim after `make demo` ---------------------------------

#: Commands the README shows failing on purpose (its output shows the error).
EXPECTED_FAILURES = {"chanjiao ingest tests/data/invalid/several_errors"}
#: Commands that do not return (a server), run by the API tests instead.
LONG_RUNNING = ("chanjiao serve",)


def readme_commands() -> list[str]:
    """Every ``chanjiao …`` line of the README's code blocks, in order.

    ``$ chanjiao …`` lines of text blocks (a command and its real output) and
    ``chanjiao …`` lines of bash blocks.
    """
    commands = []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", README, re.S):
        for raw in re.sub(r"\\\n\s*", " ", body).splitlines():  # join `\` continuations
            line = raw.strip()
            if lang == "text" and line.startswith("$ chanjiao "):
                commands.append(line[2:])
            elif lang == "bash" and line.startswith("chanjiao "):
                commands.append(line)
    return commands


def test_readme_has_commands_to_run() -> None:
    commands = readme_commands()
    assert len(commands) >= 15
    assert commands[0] == "chanjiao demo"


def test_every_readme_command_works_verbatim_after_make_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone (its tests/ folder, which the README's examples read), `make demo`
    (which runs `chanjiao demo`), then each README command exactly as written."""
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHANJIAO_STORE", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0  # what `make demo` runs
    failures = []
    for command in readme_commands():
        if command.startswith(LONG_RUNNING):
            continue
        args = shlex.split(command, comments=True)[1:]
        if ">" in args:  # `> /dev/null`: the output is not what is tested
            args = args[: args.index(">")]
        result = runner.invoke(app, args)
        expected = 1 if command in EXPECTED_FAILURES else 0
        if result.exit_code != expected or "Traceback" in result.output:
            failures.append(f"{command} → exit {result.exit_code}\n{result.output[-600:]}")
    assert not failures, "\n\n".join(failures)
    assert {p.name for p in tmp_path.iterdir()} >= {"chanjiao.db", "chanjiao-demo", "我的数据.xlsx"}


def test_level_variants_are_documented() -> None:
    for number, words in LEVEL_VARIANTS.items():
        for word in words:
            assert word in README, f"level word {word} ({number}) is not in the README"

"""Dependencies: every direct import declared, the extras really optional, the CLI light.

- every third-party module the package imports belongs to a distribution named in
  pyproject.toml (core or an extra) and in requirements.lock;
- with the extras' packages made unimportable, the core still works (ingest, gaps,
  reports, views, greedy planning) and the features that need an extra say which one;
- `chanjiao --help` imports none of networkx, openpyxl, SciPy, FastAPI, pydantic models
  of the ingest (measured start-up figures are in docs/benchmarks.md, not asserted here).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "chanjiao"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Top-level modules of the extras (server, neo4j, plan).
EXTRA_MODULES = ["fastapi", "starlette", "uvicorn", "anyio", "multipart", "pydantic_settings"]
EXTRA_MODULES += ["neo4j", "falkordb", "redis", "scipy"]  # numpy is core: gaps score on arrays


def _name(requirement: str) -> str:
    return re.split(r"[<>=~!\[;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"chanjiao", "__future__"}


def test_every_direct_import_is_declared_and_locked() -> None:
    project = PYPROJECT["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra, requirements in project["optional-dependencies"].items():
        if extra not in ("dev", "bench"):  # bench: peers of bench/peers.py, never locked
            declared |= {_name(r) for r in requirements if not r.startswith("chanjiao")}
    locked = {
        _name(line)
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    distributions = packages_distributions()
    missing = {}
    for module in sorted(_imported_modules()):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(names)
    assert missing == {}, "imported but not declared in pyproject.toml"
    assert declared <= locked, f"not in requirements.lock: {sorted(declared - locked)}"
    assert "pyvis" not in declared  # dropped: see the README's architecture section


def test_pins_allow_patch_updates_only() -> None:
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("chanjiao")]
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+>=\d+\.\d+(\.\d+)*,<\d+\.\d+", requirement), (
            requirement
        )


_BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
sys.argv = ["chanjiao", *sys.argv[1:]]
from chanjiao.cli import main
main()
"""


def _core_only(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BLOCK.format(blocked=set(EXTRA_MODULES)), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
        cwd=ROOT,
    )


def test_core_works_without_the_extras(tmp_path: Path) -> None:
    db = str(tmp_path / "core.db")
    sample = str(PACKAGE / "data" / "sample")
    assert _core_only("ingest", sample, "-s", db).returncode == 0
    gaps = _core_only("gaps", "-k", "K-IC", "-c", "CH-SEMI3", "-f", "json", "-s", db)
    assert gaps.returncode == 0, gaps.stderr
    assert json.loads(gaps.stdout)["cluster"] == "K-IC"
    report = tmp_path / "r.html"
    done = _core_only("report", "-k", "K-IC", "-c", "CH-SEMI3", "-o", str(report), "-s", db)
    assert done.returncode == 0, done.stderr
    assert "vis-network" in report.read_text(encoding="utf-8")
    greedy = _core_only("plan", "cluster", "-c", "CH-SEMI3", "-b", "5", "-f", "json", "-s", db)
    assert greedy.returncode == 0, greedy.stderr
    exact = _core_only("plan", "cluster", "-c", "CH-SEMI3", "-b", "5", "-m", "exact", "-s", db)
    assert exact.returncode == 1
    assert "pip install 'chanjiao[plan]'" in exact.stderr and "Traceback" not in exact.stderr
    serve = _core_only("serve", "-s", db)
    assert serve.returncode == 1
    assert "pip install 'chanjiao[server]'" in serve.stderr
    server = _core_only("stats", "-s", "bolt://127.0.0.1:1")
    assert server.returncode == 1
    assert "pip install 'chanjiao[neo4j]'" in server.stderr


def test_help_loads_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['chanjiao', '--help']\n"
        "from chanjiao.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['networkx', 'openpyxl', 'scipy', 'numpy', 'fastapi', 'jinja2',"
        " 'chanjiao.ingest.validate']\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip().splitlines()[-1] == "LOADED []"

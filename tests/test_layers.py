"""The import contracts `make lint` runs (pyproject.toml ``[tool.importlinter]``) hold for
the tree, and fail when a lower app imports a higher one: checked on a copy of the
packages, so the probe never touches the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ["oneplan", "agencies", "lcgs", "families", "plans", "outcomes", "audit"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "static", "*.html")
    for package in PACKAGES:
        shutil.copytree(REPO / package, target / package, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    _copy_tree(root)
    return root


def test_the_contracts_hold_for_the_tree(tree: Path) -> None:
    result = _lint(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "families/_probe.py",
            "from outcomes.models import Evidence\n",
            "families is not allowed to import outcomes",
        ),
        (
            "outcomes/_probe.py",
            "from lcgs.screening import services\n",
            "outcomes is not allowed to import lcgs",
        ),
        ("oneplan/_probe.py", "from plans import models\n", "is not allowed to import plans"),
        ("audit/_probe.py", "import families.models\n", "audit is not allowed to import families"),
        (
            "plans/plan/_probe.py",
            "from plans.work import selectors\n",
            "plans.plan is not allowed to import plans.work",
        ),
    ],
    ids=[
        "app imports a higher app",
        "outcomes imports the LCG's work",
        "core imports an app",
        "audit imports a case app",
        "area",
    ],
)
def test_an_upward_import_breaks_a_contract(
    tree: Path, module: str, line: str, broken: str
) -> None:
    probe = tree / module
    probe.write_text(line)
    try:
        result = _lint(tree)
    finally:
        probe.unlink()

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert broken in result.stdout

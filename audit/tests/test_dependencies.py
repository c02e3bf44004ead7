"""audit imports agencies and the project's shared helpers, no other app (decision 0005)."""

from __future__ import annotations

import ast
from pathlib import Path

AUDIT = Path(__file__).resolve().parent.parent
OTHER_APPS = {"lcgs", "families", "plans", "outcomes"}


def _imported_top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _audit_modules() -> list[Path]:
    return [p for p in AUDIT.rglob("*.py") if "tests" not in p.relative_to(AUDIT).parts]


def test_audit_code_imports_no_case_app() -> None:
    offenders = {
        str(path.relative_to(AUDIT)): sorted(_imported_top_level_names(path) & OTHER_APPS)
        for path in _audit_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 5


def test_audit_templates_link_to_no_case_app() -> None:
    for template in (AUDIT / "templates").rglob("*.html"):
        text = template.read_text()
        for app in OTHER_APPS:
            assert f"'{app}:" not in text and f'"{app}:' not in text, template


def test_the_check_notices_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from families.models import Family\nimport lcgs.models\n")
    assert _imported_top_level_names(module) & OTHER_APPS == {"families", "lcgs"}

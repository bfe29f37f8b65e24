"""The layers of ``finder`` as its packages declare them: no import runs against the grain.

Each package's docstring states what it may import; this test holds the code to it, so a
newcomer can trust ``ls finder`` and the docstrings.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import finder

ROOT = Path(finder.__file__).resolve().parent
BASE = {"finder", "finder.errors", "finder.config", "finder.text"}
ALLOWED = {
    "domain": {"domain"},
    "storage": {"domain", "storage"},
    "directory": {"domain", "storage", "directory"},
    "present": {"domain", "directory", "present"},
    "service": {"domain", "storage", "directory", "present", "service"},
    "cli": {"domain", "storage", "directory", "present", "service", "cli"},
    "web": {"domain", "storage", "directory", "present", "service", "web"},
}


def finder_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("finder"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import (use finder.<package>.<module>)")
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("finder"))
    return out


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / parts[1]).is_dir() else None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_its_layer_allows(package):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in finder_imports(path):
            target = package_of(module)
            if module in BASE or target is None and module.split(".")[1] in ("errors", "config", "text", "__version__"):
                continue
            if target not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT.parent)} imports {module}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_every_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import" in doc and len(doc) > 200, f"finder/{package}/__init__.py needs a docstring"


def test_top_level_holds_only_packages_and_base_modules():
    modules = sorted(p.name for p in ROOT.glob("*.py"))
    assert modules == ["__init__.py", "config.py", "errors.py", "text.py"]
    assert sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(ALLOWED)

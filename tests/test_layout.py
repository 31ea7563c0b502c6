"""The shape the code keeps (issue 12): no module over 400 lines, tests that mirror it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def _modules() -> list[Path]:
    return sorted(p for top in ("bot", "handlers", "storage") for p in (ROOT / top).rglob("*.py")
                  if "migrations" not in p.parts)


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert long == {}


def test_every_feature_package_has_its_tests_beside_it() -> None:
    """``bot/polls/`` is tested in ``tests/bot/polls/``, and so on for every package."""
    packages = [p.parent for p in (ROOT / "bot").rglob("__init__.py") if p.parent != ROOT / "bot"]
    missing = [str(p.relative_to(ROOT)) for p in packages
               if not (ROOT / "tests" / p.relative_to(ROOT)).is_dir()]
    assert missing == []

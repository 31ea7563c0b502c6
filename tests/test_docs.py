"""The README and docs/ stand on their own: every file they name is in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FILE = re.compile(r"[A-Za-z0-9_./-]+\.(?:py|md|toml|txt|cfg|ini|yml|yaml|json|sh)\b")


def test_every_file_the_docs_name_is_in_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for name in set(_FILE.findall(doc.read_text(encoding="utf-8"))):
            if not any(path == name or path.endswith("/" + name) for path in tracked):
                missing.append(f"{doc.relative_to(ROOT)}: {name}")
    assert missing == []

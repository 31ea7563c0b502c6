"""The README's console examples work as written, on a fresh database, through the real console."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.bot.test_cli import nrc

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: What only an error, a refusal or a crash says.
ERRORS = ("Usage: `", "Only ", "There is no command", "Something went wrong", "Name a ",
          "Console commands:", "Traceback", "Only /nrc commands", "not a valid", "is not a ")


def _session_lines() -> list[str]:
    blocks = re.findall(r"```text\n(.*?)```", README, re.S)
    lines = [line.removeprefix("/nrc> ") for block in blocks for line in block.splitlines()
             if line.startswith("/nrc> ")]
    assert len(lines) >= 5
    return lines


def _replies(stdout: str) -> dict[str, str]:
    """Each echoed line of a piped session and what came after it."""
    parts = re.split(r"^> (.*)$", stdout, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _check(stdout: str, lines: list[str]) -> None:
    replies = _replies(stdout)
    for line in lines:
        if line.split()[0] in (":quit", ":q", ":exit"):
            continue
        assert line.strip() in replies, (line, stdout)
        reply = replies[line.strip()]
        assert reply.strip(), f"no reply to {line!r}"
        for marker in ERRORS:
            assert marker not in reply, (line, reply)


def test_the_readme_console_session_works_as_written(tmp_path: Path) -> None:
    lines = _session_lines()
    result = nrc("console", db=tmp_path / "nrc.db", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    _check(result.stdout, lines)
    assert "@ivanov joins the delegation of Russian Federation as head of delegation." \
        in result.stdout
    assert "Recorded: Russian Federation concurs on P1." in result.stdout


def test_the_readme_piped_example_works_as_written(tmp_path: Path) -> None:
    match = re.search(r"`printf '([^']*)' \| \.venv/bin/nrc-bot console`", README)
    assert match is not None
    script = shlex.split(f"'{match.group(1)}'")[0].replace("\\n", "\n")
    result = nrc("console", db=tmp_path / "nrc.db", stdin=script)
    assert result.returncode == 0, result.stderr
    assert all(line.startswith("Database upgraded to ") for line in result.stderr.splitlines()), (
        result.stderr)  # the first run's migrations, one line each, and nothing else
    _check(result.stdout, [line for line in script.splitlines() if line])

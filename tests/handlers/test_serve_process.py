"""``nrc-bot serve`` as production runs it: gunicorn processes, signed requests, a fake Slack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.council import ADMIN, CHANNEL, OUTSIDER
from tests.fakeslack import FakeSlack
from tests.slackreq import post, sign, slash_command

SECRET = "serve-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            status, _, _ = post(url + "/healthz", b"", {}, timeout=1)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


@pytest.fixture
def served(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NRC_"))}
    env.update({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url, "DATABASE_URL": f"sqlite:///{tmp_path}/nrc.db",
        "NRC_ADMIN_USERS": ADMIN,
    })
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--no-scheduler"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _command(url: str, text: str, user: str, **sign_kwargs: int) -> tuple[int, dict[str, object]]:
    body = slash_command(text, user_id=user, channel_id=CHANNEL)
    status, _, raw = post(url + "/slack/events", body, sign(body, SECRET, **sign_kwargs))
    return status, (json.loads(raw) if raw.startswith(b"{") else {})


def test_gunicorn_serves_signed_commands_and_posts_to_slack(served: str,
                                                            fake_slack: FakeSlack) -> None:
    status, ack = _command(served, "members", OUTSIDER)
    assert status == 200 and ack["text"] == "Members: The NATO-Russia Council meets at 20."
    status, ack = _command(served, "setup", ADMIN)
    assert status == 200 and ack["response_type"] == "ephemeral"
    status, ack = _command(served, "delegate add Norway UHANSEN01 head", ADMIN)
    assert ack["text"] == "<@UHANSEN01> joins the delegation of Norway as head of delegation."
    calls = fake_slack.wait_for(
        lambda calls: len([c for c in calls if c.method == "chat.postMessage"]) >= 2)
    posts = [c.params for c in calls if c.method == "chat.postMessage"]
    assert [p["channel"] for p in posts] == [CHANNEL, CHANNEL]
    # Each worker's courier sends what its own requests recorded: the two posts may
    # reach Slack in either order.
    assert ack["text"] in [p["text"] for p in posts]
    # Every worker process shares the one database: the next request sees the delegate.
    for _ in range(4):
        status, ack = _command(served, "members", OUTSIDER)
        assert "<@UHANSEN01> (head)" in json.dumps(ack)


def test_gunicorn_refuses_forged_and_stale_requests(served: str) -> None:
    body = slash_command("setup", user_id=ADMIN, channel_id=CHANNEL)
    status, _, _ = post(served + "/slack/events", body, sign(body, "forged"))
    assert status == 401
    status, _ = _command(served, "setup", ADMIN, timestamp=int(time.time()) - 301)
    assert status == 401

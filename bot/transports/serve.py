"""``nrc-bot serve``: the HTTP transport under gunicorn, as in production."""

from __future__ import annotations

import atexit
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings
from bot.transports import gunicorn_conf
from bot.transports.web import create_app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)


def gunicorn_options(port: int, workers: int | None = None) -> dict[str, Any]:
    names = ("worker_class", "threads", "timeout", "graceful_timeout", "keepalive",
             "accesslog", "errorlog", "loglevel")
    options = {name: getattr(gunicorn_conf, name) for name in names}
    options["bind"] = f"0.0.0.0:{port}"
    options["workers"] = workers or gunicorn_conf.workers
    return options


def serve(settings: Settings, port: int, *, scheduler: bool = True,
          workers: int | None = None, host: str = "0.0.0.0") -> int:
    """Run gunicorn; with the scheduler on, a ``clock`` process runs beside it."""
    clock: subprocess.Popen[bytes] | None = None
    if scheduler:
        clock = subprocess.Popen([sys.executable, "-m", "bot", "clock"])
        atexit.register(clock.terminate)
    options = gunicorn_options(port, workers)
    options["bind"] = f"{host}:{port}"
    try:
        _Gunicorn(options, settings).run()
    finally:
        if clock is not None:
            clock.terminate()
    return 0
